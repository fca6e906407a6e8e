package abi

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		op   string
		args []arg
	}{
		{"op only", `["list_volumes"]`, "list_volumes", nil},
		{"whitespace", " [ \"get_volume\" ,\t\"abc\" \n]\r ", "get_volume", []arg{{kind: argString, s: "abc"}}},
		{"every kind", `["x","s",null,true,false,0,18446744073709551615]`, "x", []arg{
			{kind: argString, s: "s"}, {}, {kind: argBool, b: true}, {kind: argBool},
			{kind: argUint}, {kind: argUint, u: 1<<64 - 1},
		}},
		{"escapes", `["x","a\"b\\c\u00e9\ud83d\ude00\n\/"]`, "x", []arg{{kind: argString, s: "a\"b\\cé😀\n/"}}},
		{"raw utf-8", `["x","clône"]`, "x", []arg{{kind: argString, s: "clône"}}},
		{"escaped nul", `["x","a\u0000b"]`, "x", []arg{{kind: argString, s: "a\x00b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r request
			if err := parseRequest([]byte(tt.in), &r); err != nil {
				t.Fatalf("parseRequest(%q): %v", tt.in, err)
			}
			if r.op != tt.op || r.n != len(tt.args) {
				t.Fatalf("got op %q with %d args, want %q with %d", r.op, r.n, tt.op, len(tt.args))
			}
			for i, want := range tt.args {
				if r.args[i] != want {
					t.Errorf("arg %d = %+v, want %+v", i, r.args[i], want)
				}
			}
			if a := r.arg(len(tt.args)); a.kind != argNull {
				t.Errorf("arg past the end = %+v, want null", a)
			}
		})
	}
}

func TestParseRequestRefuses(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `{}`, `"op"`, `[1]`, `[null]`, `["op"`, `["op",]`, `["op" "a"]`,
		`["op",-1]`, `["op",1.5]`, `["op",1e3]`, `["op",01]`, `["op",18446744073709551616]`,
		`["op",{}]`, `["op",[]]`, `["op","a` + "\x01" + `"]`, `["op","\x"]`, `["op",nul]`,
		`["op"] x`, `["op",1,2,3,4,5,6,7,8,9]`, `["op","\ud800"`, `["op",tru]`,
	} {
		var r request
		if err := parseRequest([]byte(in), &r); err == nil {
			t.Errorf("parseRequest(%q) = %+v, want an error", in, r)
		}
	}
}

// referenceParse is what parseRequest must agree with: encoding/json's
// reading of the document, restricted to the request grammar.
func referenceParse(in []byte) (op string, args []arg, ok bool) {
	var raw []json.RawMessage
	if err := json.Unmarshal(in, &raw); err != nil || len(raw) == 0 || len(raw) > maxArgs+1 {
		return "", nil, false
	}
	if raw[0][0] != '"' || json.Unmarshal(raw[0], &op) != nil {
		return "", nil, false
	}
	for _, m := range raw[1:] {
		var v any
		if err := json.Unmarshal(m, &v); err != nil {
			return "", nil, false
		}
		switch v := v.(type) {
		case nil:
			args = append(args, arg{})
		case bool:
			args = append(args, arg{kind: argBool, b: v})
		case string:
			args = append(args, arg{kind: argString, s: v})
		case float64:
			u, err := strconv.ParseUint(string(m), 10, 64)
			if err != nil {
				return "", nil, false
			}
			args = append(args, arg{kind: argUint, u: u})
		default:
			return "", nil, false
		}
	}
	return op, args, true
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`["get_volume","0b6c0000-0000-0000-0000-000000000001"]`,
		`["create_volume","a\u00e9\"",1073741824,null,"/x",true]`,
		`["x",1e2]`, `["x",-0]`, ` ["x"] `, `["x","\ud83d\ude00"]`, `["x","` + "\xff" + `"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var r request
		err := parseRequest(in, &r)
		op, args, ok := referenceParse(in)
		if (err == nil) != ok {
			t.Fatalf("parseRequest(%q) error = %v, encoding/json accepts = %v", in, err, ok)
		}
		if !ok {
			return
		}
		if r.op != op || !slices.Equal(r.args[:r.n], args) {
			t.Fatalf("parseRequest(%q) = %q %+v, encoding/json gives %q %+v", in, r.op, r.args[:r.n], op, args)
		}
	})
}
