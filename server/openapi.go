package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// The OpenAPI document is generated from the route table and the wire
// structs' schemas, so it describes exactly what the server serves. It is
// Swagger 2.0, like ONTAP's own /docs/api/swagger.yaml, rendered as YAML.

// omap is an ordered YAML/JSON mapping.
type omap []kv

type kv struct {
	k string
	v any
}

func (m *omap) set(k string, v any) { *m = append(*m, kv{k, v}) }

// lookup returns the value of key k.
func (m omap) lookup(k string) (any, bool) {
	for _, e := range m {
		if e.k == k {
			return e.v, true
		}
	}
	return nil, false
}

// without returns a copy of m without key k.
func (m omap) without(k string) omap {
	out := make(omap, 0, len(m))
	for _, e := range m {
		if e.k != k {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) getSwagger(r *http.Request) (result, error) {
	if len(r.URL.Query()) > 0 {
		for k := range r.URL.Query() {
			return result{}, ontap.ErrUnexpectedArgument(k)
		}
	}
	return result{status: http.StatusOK, body: rawYAML(s.swaggerYAML())}, nil
}

// rawYAML is a pre-rendered YAML body; writeJSON special-cases it.
type rawYAML []byte

func (s *Server) swaggerYAML() []byte {
	s.swaggerOnce.Do(func() {
		var buf bytes.Buffer
		buf.WriteString("# ONTAP REST API subset served by nessie (generated from the route table).\n")
		writeYAML(&buf, s.swaggerDoc(), 0)
		s.swagger = buf.Bytes()
	})
	return s.swagger
}

var wildcardRE = regexp.MustCompile(`\{([A-Za-z_]+)\}`)

// swaggerParamName maps a ServeMux wildcard to ONTAP's parameter name.
func swaggerParamName(w string) string {
	if w == "vol" {
		return "volume_uuid" // ONTAP says volume.uuid; a dot breaks OpenAPI tools
	}
	return w
}

func (s *Server) swaggerDoc() omap {
	defs := omap{}
	defNames := map[*ontap.Schema]string{}
	defName := func(sc *ontap.Schema) string {
		if n, ok := defNames[sc]; ok {
			return n
		}
		n := strings.ToLower(sc.Type().Name())
		def := schemaObject(sc)
		if sc.Generic() {
			// A kind of the object store: its records are ONTAP's object.
			n = sc.Object().Name
			def = recordDef(sc.Object(), "")
		}
		defNames[sc] = n
		defs.set(n, def)
		return n
	}
	ref := func(n string) omap { return omap{{"$ref", "#/definitions/" + n}} }

	paths := omap{}
	index := map[string]int{}
	for _, rt := range s.routes {
		p := strings.Replace(rt.path, "{$}", "", 1)
		var pathParams []any
		p = wildcardRE.ReplaceAllStringFunc(p, func(m string) string {
			name := swaggerParamName(m[1 : len(m)-1])
			pathParams = append(pathParams, omap{{"name", name}, {"in", "path"}, {"required", true}, {"type", "string"}, {"format", "uuid"}})
			return "{" + name + "}"
		})
		op := omap{}
		op.set("summary", rt.summary)
		op.set("operationId", operationID(rt.method, p))
		params := append([]any{}, pathParams...)
		params = append(params, queryParams(rt)...)
		if rt.body != "" {
			params = append(params, omap{{"name", "body"}, {"in", "body"}, {"required", false}, {"schema", ref(s.requestDef(&defs, rt))}})
		}
		if len(params) > 0 {
			op.set("parameters", params)
		}
		if rt.path == "/docs/api/swagger.yaml" {
			op.set("produces", []any{"application/yaml", "application/hal+json"})
		}
		resps := omap{}
		for _, st := range rt.status {
			var sch any
			switch {
			case rt.path == "/docs/api/swagger.yaml":
				sch = omap{{"type", "object"}, {"description", "this document"}}
			case rt.method == "GET" && rt.kind == ontap.QueryCollection:
				items := omap{{"type", "object"}}
				if rt.schema != nil {
					items = ref(defName(rt.schema))
				}
				sch = omap{{"type", "object"}, {"properties", omap{
					{"records", omap{{"type", "array"}, {"items", items}}},
					{"num_records", omap{{"type", "integer"}}},
					{"_links", ref("collection_links")},
				}}}
			case rt.method == "GET" && rt.schema != nil:
				sch = ref(defName(rt.schema))
			case rt.path == "/api/support/ems/application-logs":
				sch = omap{{"type", "object"}}
			default:
				sch = ref("job_link_response")
			}
			resps.set(strconv.Itoa(st), omap{{"description", http.StatusText(st)}, {"schema", sch}})
		}
		resps.set("default", omap{{"description", "ONTAP error envelope"}, {"schema", ref("error_response")}})
		op.set("responses", resps)
		i, ok := index[p]
		if !ok {
			i = len(paths)
			index[p] = i
			paths.set(p, omap{})
		}
		item := paths[i].v.(omap)
		item.set(strings.ToLower(rt.method), op)
		paths[i].v = item
	}

	defs.set("href", omap{{"type", "object"}, {"properties", omap{{"href", omap{{"type", "string"}}}}}})
	defs.set("collection_links", omap{{"type", "object"}, {"properties", omap{{"self", ref("href")}, {"next", ref("href")}}}})
	defs.set("job_link", omap{{"type", "object"}, {"properties", omap{
		{"uuid", omap{{"type", "string"}, {"format", "uuid"}}},
		{"_links", omap{{"type", "object"}, {"properties", omap{{"self", ref("href")}}}}},
	}}})
	defs.set("job_link_response", omap{{"type", "object"}, {"properties", omap{
		{"num_records", omap{{"type", "integer"}}},
		{"records", omap{{"type", "array"}, {"items", omap{{"type", "object"}}}}},
		{"job", ref("job_link")},
		{"jobs", omap{{"type", "array"}, {"items", ref("job_link")}}},
	}}})
	defs.set("error_response", omap{{"type", "object"}, {"required", []any{"error"}}, {"properties", omap{
		{"error", omap{{"type", "object"}, {"required", []any{"message", "code"}}, {"properties", omap{
			{"message", omap{{"type", "string"}}},
			{"code", omap{{"type", "string"}, {"description", "ONTAP error code: a decimal number as a string"}}},
			{"target", omap{{"type", "string"}}},
			{"arguments", omap{{"type", "array"}, {"items", omap{{"type", "object"}, {"properties", omap{
				{"code", omap{{"type", "string"}}}, {"message", omap{{"type", "string"}}},
			}}}}}},
		}}}},
	}}})
	sort.SliceStable(defs, func(i, j int) bool { return defs[i].k < defs[j].k })

	return omap{
		{"swagger", "2.0"},
		{"info", omap{
			{"title", "ONTAP REST API"},
			{"version", "v1"},
			{"description", "The subset of the ONTAP REST API that nessie serves: discovery, volumes, FlexClones, snapshots and jobs. Mutations are asynchronous (202 with a job link) unless return_timeout is given."},
		}},
		{"basePath", "/"},
		{"schemes", []any{"https", "http"}},
		{"consumes", []any{"application/json", "application/hal+json"}},
		{"produces", []any{"application/hal+json", "application/json"}},
		{"securityDefinitions", omap{{"basic_auth", omap{{"type", "basic"}}}}},
		{"security", []any{omap{{"basic_auth", []any{}}}}},
		{"paths", paths},
		{"definitions", defs},
	}
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if strings.HasSuffix(path, "/") {
		b.WriteString("slash")
	}
	return b.String()
}

func param(name, typ, desc string, extra ...kv) omap {
	m := omap{{"name", name}, {"in", "query"}, {"required", false}, {"type", typ}}
	if desc != "" {
		m.set("description", desc)
	}
	return append(m, extra...)
}

func queryParams(rt route) []any {
	var out []any
	seen := map[string]bool{}
	add := func(ps ...any) {
		for _, p := range ps {
			name := p.(omap)[0].v.(string)
			if !seen[name] {
				seen[name] = true
				out = append(out, p)
			}
		}
	}
	timeout := param("return_timeout", "integer", "seconds to wait for the job before answering", kv{"minimum", 0}, kv{"maximum", 120})
	ignore := param("ignore_unknown_fields", "boolean", "ignore unknown fields instead of failing with 262197")
	returnRecords := param("return_records", "boolean", "")
	var fields, orderBy any
	if rt.schema != nil {
		all, scalars := fieldNames(rt.schema)
		fields = param("fields", "array", "fields to return; * for common, ** for all",
			kv{"items", omap{{"type", "string"}, {"enum", all}}}, kv{"collectionFormat", "csv"})
		orderBy = param("order_by", "array", "sort keys", kv{"items", omap{{"type", "string"}, {"enum", scalars}}}, kv{"collectionFormat", "csv"})
	}
	for _, a := range rt.allow {
		switch a {
		case "force", "restore_to.snapshot.force", "preserve_lun_ids", "snapshot_directory_access_enabled":
			add(param(a, "boolean", ""))
		case "sizing_method":
			add(param(a, "string", "", kv{"enum", []any{"use_existing_resources", "add_new_resources"}}))
		case "action":
			add(param(a, "string", "", kv{"enum", []any{"cancel", "pause", "resume"}}))
		default:
			add(param(a, "string", ""))
		}
	}
	switch rt.kind {
	case ontap.QueryCollection:
		if fields != nil {
			add(fields, orderBy)
			if k := rt.schema.KeyName(); k != "" {
				add(param("start."+k, "string", "continue a paged listing (from _links.next)"))
			}
		}
		add(param("max_records", "integer", "page size", kv{"minimum", 0}), returnRecords, timeout, ignore)
		if rt.schema != nil {
			add(filterParams(rt.schema)...)
		}
	case ontap.QueryRecord:
		if fields != nil {
			add(fields)
		}
		add(returnRecords, timeout, ignore)
	case ontap.QueryMutation:
		add(returnRecords, timeout, ignore)
	case ontap.QueryMutationByQuery:
		add(returnRecords, timeout, ignore, param("continue_on_failure", "boolean", ""), param("serial_records", "boolean", ""))
		if rt.schema != nil {
			add(filterParams(rt.schema)...)
		}
	}
	return out
}

// filterParams lists one query parameter per scalar field path, typed by
// the field; values may also carry ONTAP's operators (* ! | < > <= >= ..
// null), which the description says.
func filterParams(sc *ontap.Schema) []any {
	var out []any
	const ops = "filter; also accepts ONTAP query operators"
	if obj := sc.Object(); obj != nil {
		// Every readable scalar of ONTAP's object filters.
		for i := range obj.Fields {
			f := &obj.Fields[i]
			if !f.Can(schema.Get) || f.Type.Container() || isLink(f.Path) {
				continue
			}
			switch f.Type.Elem() {
			case schema.Integer:
				out = append(out, param(f.Path, "integer", ops))
			case schema.Boolean:
				out = append(out, param(f.Path, "boolean", ops))
			case schema.DateTime:
				out = append(out, param(f.Path, "string", ops, kv{"format", "date-time"}))
			default:
				out = append(out, param(f.Path, "string", ops))
			}
		}
		return out
	}
	var walk func(*ontap.Schema, string)
	walk = func(sc *ontap.Schema, prefix string) {
		for _, f := range sc.Fields() {
			if f.Name == "_links" || f.Name == "restore_to" {
				continue
			}
			if f.Sub != nil {
				walk(f.Sub, prefix+f.Name+".")
				continue
			}
			switch f.Type {
			case "integer":
				out = append(out, param(prefix+f.Name, "integer", ops))
			case "boolean":
				out = append(out, param(prefix+f.Name, "boolean", ops))
			case "date-time":
				out = append(out, param(prefix+f.Name, "string", ops, kv{"format", "date-time"}))
			default:
				out = append(out, param(prefix+f.Name, "string", ops))
			}
		}
	}
	walk(sc, "")
	return out
}

// fieldNames lists what fields= accepts for a schema: every path, * and
// **; scalars lists the paths order_by accepts.
func fieldNames(sc *ontap.Schema) (all, scalars []any) {
	all = []any{"*", "**"}
	if obj := sc.Object(); obj != nil {
		for i := range obj.Fields {
			f := &obj.Fields[i]
			if !f.Can(schema.Get) {
				continue
			}
			all = append(all, f.Path)
			if !f.Type.Container() && f.Type == f.Type.Elem() && !isLink(f.Path) {
				scalars = append(scalars, f.Path, f.Path+" asc", f.Path+" desc")
			}
		}
		return all, scalars
	}
	var walk func(*ontap.Schema, string)
	walk = func(sc *ontap.Schema, prefix string) {
		for _, f := range sc.Fields() {
			all = append(all, prefix+f.Name)
			if f.Sub != nil {
				walk(f.Sub, prefix+f.Name+".")
			} else if f.Name != "_links" && f.Type != "array" {
				scalars = append(scalars, prefix+f.Name, prefix+f.Name+" asc", prefix+f.Name+" desc")
			}
		}
	}
	walk(sc, "")
	return all, scalars
}

// requestDef adds (once) and names the definition of a route's request
// body: for a resource, only the fields the operation may set (the server
// refuses others with 262196/262197), each with its value constraints,
// and nothing else.
func (s *Server) requestDef(defs *omap, rt route) string {
	name := rt.body
	var def omap
	switch {
	case rt.body == "ems_application_log":
		def = omap{{"type", "object"}, {"description", "an EMS application log entry; accepted and discarded"}}
	case rt.body == "recovery_queue_purge":
		def = omap{{"type", "object"}, {"additionalProperties", false}, {"properties", omap{
			{"vserver", omap{{"type", "string"}}}, {"volume", omap{{"type", "string"}}},
		}}}
	case rt.schema == volumeSchema && rt.body == "@create":
		name = "volume_create"
		def = s.bodyFromSchema(volumeSchema.Object(), "", schema.Post)
		def.set("required", []any{"name", "svm"})
	case rt.schema == volumeSchema:
		name = "volume_modify"
		def = s.bodyFromSchema(volumeSchema.Object(), "", schema.Patch)
		props, _ := def.lookup("properties")
		p := props.(omap)
		p.set("restore_to", omap{{"type", "object"}, {"description", "restore the volume to a snapshot (also accepted as query parameters)"},
			{"properties", omap{{"snapshot", omap{{"type", "object"}, {"properties", omap{
				{"name", omap{{"type", "string"}}}, {"uuid", omap{{"type", "string"}}}}}}}}}})
		def = def.without("properties")
		def.set("properties", p)
	case rt.schema == snapshotSchema && rt.body == "@create":
		name = "snapshot_create"
		def = s.bodyFromSchema(snapshotSchema.Object(), "", schema.Post)
		def.set("required", []any{"name"})
	case rt.schema == snapshotSchema:
		name = "snapshot_modify"
		def = s.bodyFromSchema(snapshotSchema.Object(), "", schema.Patch)
	case rt.schema != nil && rt.schema.Object() != nil && rt.body == "@create":
		name = rt.schema.Object().Name + "_create"
		def = s.bodyFromSchema(rt.schema.Object(), "", schema.Post)
	case rt.schema != nil && rt.schema.Object() != nil:
		name = rt.schema.Object().Name + "_modify"
		def = s.bodyFromSchema(rt.schema.Object(), "", schema.Patch)
	default:
		panic("openapi: no request definition for " + rt.method + " " + rt.path)
	}
	for _, e := range *defs {
		if e.k == name {
			return name
		}
	}
	defs.set(name, def)
	return name
}

// bodyFromSchema renders the fields of ONTAP's object under prefix that
// operation op may set, from the generated schema (the decoder accepts
// exactly these), with the server's value constraints.
func (s *Server) bodyFromSchema(obj *schema.Object, prefix string, op schema.Flag) omap {
	props := omap{}
	for _, f := range obj.Children(prefix) {
		if !f.Can(op) {
			continue
		}
		var m omap
		switch f.Type {
		case schema.Struct:
			m = s.bodyFromSchema(obj, f.Path, op)
		case schema.ArrayOfObjects:
			m = omap{{"type", "array"}, {"items", s.bodyFromSchema(obj, f.Path, op)}}
		case schema.ArrayOfStrings, schema.ArrayOfIntegers, schema.ArrayOfBooleans, schema.ArrayOfNumbers, schema.ArrayOfDateTimes:
			m = omap{{"type", "array"}, {"items", scalarSchema(f.Type.Elem(), nil)}}
		default:
			m = scalarSchema(f.Type, f.Enum)
		}
		if c := s.constraint(f.Path); c != nil {
			if _, hasEnum := c.lookup("enum"); hasEnum {
				m = m.without("enum")
			}
			m = append(m, c...)
		}
		props.set(f.Name(), m)
	}
	return omap{{"type", "object"}, {"additionalProperties", false}, {"properties", props}}
}

func scalarSchema(t schema.Type, enum []string) omap {
	var m omap
	switch t {
	case schema.Integer:
		m = omap{{"type", "integer"}, {"format", "int64"}}
	case schema.Number:
		m = omap{{"type", "number"}}
	case schema.Boolean:
		m = omap{{"type", "boolean"}}
	case schema.DateTime:
		m = omap{{"type", "string"}, {"format", "date-time"}}
	case schema.Any:
		m = omap{}
	default:
		m = omap{{"type", "string"}}
	}
	if len(enum) > 0 {
		vals := make([]any, len(enum))
		for i, e := range enum {
			vals[i] = e
		}
		m = append(m, kv{"enum", vals})
	}
	return m
}

// constraint is the value rule the server enforces on a body field.
func (s *Server) constraint(path string) omap {
	enum := func(vs ...string) omap {
		out := make([]any, len(vs))
		for i, v := range vs {
			out[i] = v
		}
		return omap{{"enum", out}}
	}
	switch path {
	case "name":
		if s.opts.RelaxedNames {
			return omap{{"minLength", 1}, {"maxLength", 255}, {"pattern", "^[^/\\x00]+$"}}
		}
		return omap{{"pattern", "^[A-Za-z_][A-Za-z0-9_]{0,202}$"}}
	case "size":
		if s.opts.ContractMode {
			return omap{{"minimum", 0}}
		}
		return omap{{"minimum", ontap.MinVolumeSize}}
	case "state":
		return enum("online", "offline", "restricted")
	case "style":
		return enum("flexvol")
	case "type":
		return enum("rw", "RW")
	case "svm.name", "clone.parent_svm.name":
		return enum(s.id.SVMName)
	case "svm.uuid", "clone.parent_svm.uuid":
		return enum(s.id.SVMUUID)
	case "aggregates.name":
		return enum(s.id.AggregateName)
	case "aggregates.uuid":
		return enum(s.id.AggregateUUID)
	case "space.snapshot.reserve_percent":
		return omap{{"minimum", 0}, {"maximum", 90}}
	case "nas.path":
		return omap{{"pattern", "^(/[^\\x00]*)?$"}, {"maxLength", 4096}}
	case "comment":
		return omap{{"maxLength", backend.MaxCommentLen}}
	case "clone.is_flexclone":
		return enum2(true)
	}
	return nil
}

func enum2(v bool) omap { return omap{{"enum", []any{v}}} }

// schemaObject renders a wire struct as a Swagger schema.
// recordDef renders the readable fields of ONTAP's object under prefix
// (the records of a kind of the object store).
func recordDef(obj *schema.Object, prefix string) omap {
	props := omap{}
	for _, f := range obj.Children(prefix) {
		if !f.Can(schema.Get) {
			continue
		}
		var m omap
		switch f.Type {
		case schema.Struct:
			m = recordDef(obj, f.Path)
		case schema.ArrayOfObjects:
			m = omap{{"type", "array"}, {"items", recordDef(obj, f.Path)}}
		case schema.ArrayOfStrings, schema.ArrayOfIntegers, schema.ArrayOfBooleans, schema.ArrayOfNumbers, schema.ArrayOfDateTimes:
			m = omap{{"type", "array"}, {"items", scalarSchema(f.Type.Elem(), nil)}}
		default:
			m = scalarSchema(f.Type, f.Enum)
		}
		props.set(f.Name(), m)
	}
	return omap{{"type", "object"}, {"properties", props}}
}

func schemaObject(sc *ontap.Schema) omap {
	props := omap{}
	for _, f := range sc.Fields() {
		props.set(f.Name, fieldSchema(f))
	}
	return omap{{"type", "object"}, {"properties", props}}
}

func fieldSchema(f ontap.FieldInfo) omap {
	var m omap
	switch f.Type {
	case "string":
		m = omap{{"type", "string"}}
	case "integer":
		m = omap{{"type", "integer"}, {"format", "int64"}}
	case "boolean":
		m = omap{{"type", "boolean"}}
	case "date-time":
		m = omap{{"type", "string"}, {"format", "date-time"}}
	case "object":
		m = schemaObject(f.Sub)
	case "array":
		if f.Items == "string" {
			m = omap{{"type", "array"}, {"items", omap{{"type", "string"}}}}
		} else {
			m = omap{{"type", "array"}, {"items", schemaObject(f.Sub)}}
		}
	}
	if f.ReadOnly {
		m.set("readOnly", true)
	}
	var notes []string
	if f.Expensive {
		notes = append(notes, "expensive: returned only when requested in fields")
	}
	if f.Size {
		notes = append(notes, `also accepts size strings such as "240MB" (x1024)`)
	}
	if len(notes) > 0 {
		m.set("description", strings.Join(notes, "; "))
	}
	return m
}

// ---- a minimal YAML emitter for omap/[]any/scalars ----

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_.$-]*$`)

func yamlScalar(v any) string {
	switch x := v.(type) {
	case string:
		b, _ := json.Marshal(x) // a JSON string is a valid YAML double-quoted scalar
		return string(b)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func yamlKey(k string) string {
	if plainKey.MatchString(k) && k != "true" && k != "false" && k != "null" && k != "y" && k != "n" && k != "yes" && k != "no" && k != "on" && k != "off" {
		return k
	}
	return yamlScalar(k)
}

func writeYAML(buf *bytes.Buffer, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch x := v.(type) {
	case omap:
		for _, e := range x {
			buf.WriteString(pad + yamlKey(e.k) + ":")
			writeYAMLValue(buf, e.v, indent)
		}
	case []any:
		for _, e := range x {
			buf.WriteString(pad + "-")
			switch ev := e.(type) {
			case omap:
				if len(ev) == 0 {
					buf.WriteString(" {}\n")
					continue
				}
				// First key on the dash line, the rest indented under it.
				buf.WriteString(" " + yamlKey(ev[0].k) + ":")
				writeYAMLValue(buf, ev[0].v, indent+1)
				writeYAML(buf, ev[1:], indent+1)
			default:
				writeYAMLValue(buf, e, indent)
			}
		}
	}
}

func writeYAMLValue(buf *bytes.Buffer, v any, indent int) {
	switch x := v.(type) {
	case omap:
		if len(x) == 0 {
			buf.WriteString(" {}\n")
			return
		}
		buf.WriteString("\n")
		writeYAML(buf, x, indent+1)
	case []any:
		if len(x) == 0 {
			buf.WriteString(" []\n")
			return
		}
		buf.WriteString("\n")
		writeYAML(buf, x, indent+1)
	default:
		buf.WriteString(" " + yamlScalar(v) + "\n")
	}
}

// isLink reports whether path lies in a HAL _links object.
func isLink(path string) bool {
	return strings.HasPrefix(path, "_links") || strings.Contains(path, "._links")
}
