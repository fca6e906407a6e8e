// Package schema holds ONTAP 9.16.1's object models as Go tables: for each
// object nessie serves (or is about to), every field path, its type, its
// enum values, and whether a client may read it, set it on create or
// change it. The tables in zz_generated.objects.go are written by gen.py
// from the resource schemas of NetApp's netapp-ontap 9.16.1.0 Python SDK,
// which NetApp generates from ONTAP's own OpenAPI document; never edit them
// by hand (TestGeneratedIsFresh fails if they drift from the generator).
//
// Package ontap binds its hand-written wire structs to these tables: the
// body decoder, fields=, filters and records all take the set of valid
// fields from here.
package schema

import (
	"strings"
	"sync"
)

// Type is a field's JSON type.
type Type uint8

// The field types ONTAP's models use.
const (
	String Type = iota + 1
	Integer
	Number
	Boolean
	DateTime
	Struct // a JSON object
	ArrayOfObjects
	ArrayOfStrings
	ArrayOfIntegers
	ArrayOfBooleans
	ArrayOfNumbers
	ArrayOfDateTimes
	Any
)

var typeNames = [...]string{"", "string", "integer", "number", "boolean", "date-time", "object",
	"array of objects", "array of strings", "array of integers", "array of booleans", "array of numbers", "array of date-times", "any"}

// String names the type as ONTAP's documentation does.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Container reports whether values of the type hold other fields.
func (t Type) Container() bool { return t == Struct || t == ArrayOfObjects }

// Elem returns the element type of an array of scalars, or t itself.
func (t Type) Elem() Type {
	switch t {
	case ArrayOfStrings:
		return String
	case ArrayOfIntegers:
		return Integer
	case ArrayOfBooleans:
		return Boolean
	case ArrayOfNumbers:
		return Number
	case ArrayOfDateTimes:
		return DateTime
	}
	return t
}

// Flag says what a client may do with a field.
type Flag uint8

// The operations a field allows.
const (
	Get   Flag = 1 << iota // returned by GET (readable)
	Post                   // settable on create
	Patch                  // settable on modify
)

// Field is one field of an object: its dotted path from the record root
// (arrays of objects add no index), type, operations and enum values
// (matched case-insensitively, as ONTAP does).
type Field struct {
	Path  string
	Type  Type
	Flags Flag
	Enum  []string
}

// Name is the last segment of the field's path.
func (f *Field) Name() string { return f.Path[strings.LastIndexByte(f.Path, '.')+1:] }

// Parent is the path of the object holding the field ("" at the root).
func (f *Field) Parent() string {
	if i := strings.LastIndexByte(f.Path, '.'); i >= 0 {
		return f.Path[:i]
	}
	return ""
}

// Can reports whether the field allows every operation in op.
func (f *Field) Can(op Flag) bool { return f.Flags&op == op }

// InEnum reports whether v is one of the field's enum values (any case);
// a field without an enum accepts every value.
func (f *Field) InEnum(v string) bool {
	if len(f.Enum) == 0 {
		return true
	}
	for _, e := range f.Enum {
		if strings.EqualFold(e, v) {
			return true
		}
	}
	return false
}

// Object is one ONTAP object: its SDK resource name, its API collection
// path and its fields, sorted by path.
type Object struct {
	Name   string
	Path   string
	Fields []Field

	once     sync.Once
	byPath   map[string]*Field
	children map[string][]*Field
}

func (o *Object) index() {
	o.once.Do(func() {
		o.byPath = make(map[string]*Field, len(o.Fields))
		o.children = map[string][]*Field{}
		for i := range o.Fields {
			f := &o.Fields[i]
			o.byPath[f.Path] = f
			o.children[f.Parent()] = append(o.children[f.Parent()], f)
		}
	})
}

// Field returns the field at path, or nil.
func (o *Object) Field(path string) *Field {
	o.index()
	return o.byPath[path]
}

// Children returns the fields directly under path ("" for the root), in
// path order.
func (o *Object) Children(path string) []*Field {
	o.index()
	return o.children[path]
}

// Lookup returns the object whose SDK resource name is name, or nil.
func Lookup(name string) *Object {
	for _, o := range Objects {
		if o.Name == name {
			return o
		}
	}
	return nil
}
