package readme_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

// TestConformance is the README's conformance snippet.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.VolumeBackend {
		return mem.New(nil) // your backend here: a fresh one per call
	}, nil)
}

// TestSnippetsCompile: every ```go block of README.md appears, line for
// line (indentation aside), in a _test.go file of the module, so the
// snippet compiles (and runs) with the tests. A README edit that breaks
// a snippet, or a code change that the README does not follow, fails here.
func TestSnippetsCompile(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	snippets := goBlocks(string(readme))
	if len(snippets) < 3 {
		t.Fatalf("found %d Go snippets in README.md", len(snippets))
	}
	var files [][]string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "python") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files = append(files, normalize(string(data)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range snippets {
		lines := normalize(sn)
		found := false
		for _, f := range files {
			if contains(f, lines) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README snippet is in no test file:\n%s", sn)
		}
	}
}

// goBlocks returns the bodies of the ```go fences in md.
func goBlocks(md string) []string {
	var out []string
	for {
		i := strings.Index(md, "```go\n")
		if i < 0 {
			return out
		}
		md = md[i+len("```go\n"):]
		j := strings.Index(md, "```")
		if j < 0 {
			return out
		}
		out = append(out, md[:j])
		md = md[j:]
	}
}

// normalize drops indentation, trailing space and blank lines.
func normalize(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// contains reports whether sub occurs in lines as a contiguous run.
func contains(lines, sub []string) bool {
	for i := 0; i+len(sub) <= len(lines); i++ {
		match := true
		for k := range sub {
			if lines[i+k] != sub[k] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
