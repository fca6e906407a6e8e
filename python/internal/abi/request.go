package abi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxArgs bounds the positional arguments of one request; the widest
// operation (patch_volume) takes seven.
const maxArgs = 8

type argKind uint8

const (
	argNull argKind = iota
	argString
	argUint
	argBool
)

func (k argKind) String() string {
	switch k {
	case argString:
		return "a string"
	case argUint:
		return "an integer"
	case argBool:
		return "a boolean"
	}
	return "null"
}

// arg is one positional argument of a request.
type arg struct {
	kind argKind
	s    string
	u    uint64
	b    bool
}

// request is a decoded request. Arguments past n are null, which lets
// callers omit trailing optional arguments.
type request struct {
	op   string
	args [maxArgs]arg
	n    int
}

// arg returns argument i, or null if the request has fewer.
func (r *request) arg(i int) arg {
	if i < r.n {
		return r.args[i]
	}
	return arg{}
}

var errNotArray = errors.New(`request: want a JSON array ["op", args...]`)

// parseRequest decodes a request. It accepts exactly the JSON documents
// that encoding/json would decode to an array of at most maxArgs+1 scalars
// (strings, non-negative integers, booleans, null) with a string first; the
// hot path avoids reflection and allocates only the argument strings.
func parseRequest(b []byte, r *request) error {
	*r = request{}
	p := parser{b: b}
	p.ws()
	if !p.eat('[') {
		return errNotArray
	}
	p.ws()
	first := true
	for i := 0; ; i++ {
		if p.eat(']') {
			if first {
				return errNotArray
			}
			break
		}
		if !first {
			if !p.eat(',') {
				return p.syntax()
			}
			p.ws()
		}
		var a arg
		if err := p.value(&a); err != nil {
			return err
		}
		if first {
			if a.kind != argString {
				return errors.New("request: the first element must be the operation name")
			}
			r.op = a.s
		} else {
			if r.n == maxArgs {
				return fmt.Errorf("request: more than %d arguments", maxArgs)
			}
			r.args[r.n] = a
			r.n++
		}
		first = false
		p.ws()
	}
	p.ws()
	if p.i != len(p.b) {
		return p.syntax()
	}
	return nil
}

type parser struct {
	b []byte
	i int
}

func (p *parser) syntax() error {
	if p.i >= len(p.b) {
		return errors.New("request: unexpected end of JSON")
	}
	return fmt.Errorf("request: invalid JSON at offset %d", p.i)
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) literal(word string) bool {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *parser) value(a *arg) error {
	if p.i >= len(p.b) {
		return p.syntax()
	}
	switch c := p.b[p.i]; {
	case c == '"':
		s, err := p.str()
		*a = arg{kind: argString, s: s}
		return err
	case c == 'n' && p.literal("null"):
		*a = arg{}
	case c == 't' && p.literal("true"):
		*a = arg{kind: argBool, b: true}
	case c == 'f' && p.literal("false"):
		*a = arg{kind: argBool}
	case c == '-' || '0' <= c && c <= '9':
		return p.number(a)
	case c == '{' || c == '[':
		return errors.New("request: arguments must be strings, integers, booleans or null")
	default:
		return p.syntax()
	}
	return nil
}

// number accepts the JSON integers 0 and [1-9][0-9]* that fit in uint64;
// any other number (negative, fractional, exponent, too large) is refused.
func (p *parser) number(a *arg) error {
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			p.i++
			continue
		}
		break
	}
	tok := p.b[start:p.i]
	if len(tok) > 1 && tok[0] == '0' {
		return fmt.Errorf("request: %.32q is not a non-negative integer", tok)
	}
	u, err := strconv.ParseUint(string(tok), 10, 64)
	if err != nil {
		return fmt.Errorf("request: %.32q is not a non-negative integer below 2**64", tok)
	}
	*a = arg{kind: argUint, u: u}
	return nil
}

// str decodes a JSON string. Strings without escapes or control bytes
// whose bytes are valid UTF-8 are copied as they are; the rest go
// through encoding/json, which defines the exact semantics (escapes,
// surrogate pairs, replacement of invalid UTF-8).
func (p *parser) str() (string, error) {
	start := p.i
	p.i++ // opening quote
	plain := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			tok := p.b[start:p.i]
			if plain && utf8.Valid(tok) {
				return string(tok[1 : len(tok)-1]), nil
			}
			var s string
			if err := json.Unmarshal(tok, &s); err != nil {
				return "", fmt.Errorf("request: bad string at offset %d: %v", start, err)
			}
			return s, nil
		case c == '\\':
			plain = false
			p.i += 2
		case c < 0x20:
			return "", p.syntax()
		default:
			p.i++
		}
	}
	p.i = len(p.b)
	return "", p.syntax()
}
