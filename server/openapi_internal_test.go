package server

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend/mem"
)

// TestSwaggerYAMLRoundTrip parses the emitted YAML back (with a reader for
// the block-style subset the emitter writes) and compares it with the
// document tree, so no key, quote or indent goes wrong in the text.
func TestSwaggerYAMLRoundTrip(t *testing.T) {
	s, err := New(mem.New(nil), &Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := plain(s.swaggerDoc())
	var lines []string
	for _, l := range strings.Split(string(s.swaggerYAML()), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	p := &yamlReader{lines: lines}
	got, err := p.block(0)
	if err != nil {
		t.Fatal(err)
	}
	if p.i != len(lines) {
		t.Fatalf("unparsed from line %d: %q", p.i, lines[p.i])
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Fatalf("YAML does not round-trip:\ngot  %.400s\nwant %.400s", gj, wj)
	}
	// Every route is documented, with its method.
	paths := want.(map[string]any)["paths"].(map[string]any)
	for _, rt := range s.routes {
		p := strings.Replace(wildcardRE.ReplaceAllStringFunc(rt.path, func(m string) string {
			return "{" + swaggerParamName(m[1:len(m)-1]) + "}"
		}), "{$}", "", 1)
		item, ok := paths[p].(map[string]any)
		if !ok || item[strings.ToLower(rt.method)] == nil {
			t.Errorf("%s %s is not documented", rt.method, p)
		}
	}
}

// plain turns the document tree into what encoding/json would decode.
func plain(v any) any {
	switch x := v.(type) {
	case omap:
		m := map[string]any{}
		for _, e := range x {
			m[e.k] = plain(e.v)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case int:
		return float64(x)
	}
	return v
}

type yamlReader struct {
	lines []string
	i     int
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// block reads the mapping or sequence starting at the current line, whose
// entries are indented by ind spaces.
func (p *yamlReader) block(ind int) (any, error) {
	if p.i >= len(p.lines) {
		return nil, fmt.Errorf("unexpected end")
	}
	if strings.HasPrefix(p.lines[p.i][ind:], "- ") || p.lines[p.i][ind:] == "-" {
		var seq []any
		for p.i < len(p.lines) && indentOf(p.lines[p.i]) == ind && strings.HasPrefix(p.lines[p.i][ind:], "-") {
			rest := p.lines[p.i][ind+1:]
			if strings.Contains(rest, ": ") || strings.HasSuffix(rest, ":") {
				// A mapping item: its first key sits on the dash line.
				p.lines[p.i] = strings.Repeat(" ", ind+2) + strings.TrimPrefix(rest, " ")
				v, err := p.block(ind + 2)
				if err != nil {
					return nil, err
				}
				seq = append(seq, v)
				continue
			}
			v, err := scalar(strings.TrimSpace(rest))
			if err != nil {
				return nil, err
			}
			seq = append(seq, v)
			p.i++
		}
		return seq, nil
	}
	m := map[string]any{}
	for p.i < len(p.lines) && indentOf(p.lines[p.i]) == ind {
		line := p.lines[p.i][ind:]
		key, rest, err := splitKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", p.i, err)
		}
		p.i++
		if rest == "" {
			if p.i >= len(p.lines) || indentOf(p.lines[p.i]) <= ind {
				return nil, fmt.Errorf("key %q has no value", key)
			}
			v, err := p.block(indentOf(p.lines[p.i]))
			if err != nil {
				return nil, err
			}
			m[key] = v
			continue
		}
		v, err := scalar(rest)
		if err != nil {
			return nil, fmt.Errorf("key %q: %v", key, err)
		}
		m[key] = v
	}
	return m, nil
}

func splitKey(line string) (string, string, error) {
	var key string
	if strings.HasPrefix(line, `"`) {
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&key); err != nil {
			return "", "", err
		}
		line = line[dec.InputOffset():]
	} else {
		i := strings.IndexByte(line, ':')
		if i < 0 {
			return "", "", fmt.Errorf("no key in %q", line)
		}
		key, line = line[:i], line[i:]
	}
	if !strings.HasPrefix(line, ":") {
		return "", "", fmt.Errorf("no ':' after key %q", key)
	}
	return key, strings.TrimSpace(line[1:]), nil
}

func scalar(s string) (any, error) {
	switch s {
	case "{}":
		return map[string]any{}, nil
	case "[]":
		return []any{}, nil
	}
	var v any
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}
