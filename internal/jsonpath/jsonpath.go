// Package jsonpath reads values out of decoded JSON (the map[string]any
// and []any that encoding/json produces) by a dotted path such as
// "records.0.clone.parent_volume.name": a segment names an object member,
// or indexes an array in decimal. It is the one such helper of the
// server's tests and the soak battery; production code decodes into
// typed structs instead.
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Get returns the value at path in v, or nil if any segment is missing,
// out of range or applied to a scalar. The empty path is v itself.
func Get(v any, path string) any {
	if path == "" {
		return v
	}
	for seg := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// String returns the value at path as text: a string as it is, a number
// in its shortest decimal form, a boolean as true or false, and "" when
// absent or null. Objects and arrays are rendered with fmt.
func String(v any, path string) string {
	switch x := Get(v, path).(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

// Int returns the number at path as an integer, and whether there is a
// whole number there.
func Int(v any, path string) (int64, bool) {
	f, ok := Get(v, path).(float64)
	if !ok || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}
