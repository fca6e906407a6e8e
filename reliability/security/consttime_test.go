package security

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// serverDir is the server package's source, relative to this package.
const serverDir = "../../server"

// TestCredentialComparisonIsConstantTimeShaped reads the server package's
// source and checks the shape of every function that reads HTTP Basic
// credentials (calls BasicAuth): no timing measurement, which would be
// flaky on a shared machine, but the properties that make the comparison
// timing-safe:
//
//   - the username and the password each reach crypto/subtle's
//     ConstantTimeCompare (or hmac.Equal);
//   - what they are compared as is a fixed-length digest (sha256/sha512
//     of the input), so the comparison cannot exit early on a length
//     mismatch and leak the secret's length;
//   - nothing derived from them meets ==, !=, <, >, bytes.Equal,
//     strings.EqualFold, strings.Compare, strings.HasPrefix or
//     reflect.DeepEqual (an empty-string check is allowed: it leaks
//     nothing);
//   - all constant-time comparisons happen in one statement, combined
//     without && or ||, so a wrong username does not skip the password
//     comparison.
func TestCredentialComparisonIsConstantTimeShaped(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(serverDir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		imports := importNames(f)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !callsMethod(fn.Body, "BasicAuth") {
				continue
			}
			found++
			t.Run(fn.Name.Name, func(t *testing.T) {
				for _, p := range credentialProblems(fset, fn, imports) {
					t.Error(p)
				}
			})
		}
	}
	if found == 0 {
		t.Fatalf("no function in %s reads HTTP Basic credentials (BasicAuth): the check has nothing to inspect", serverDir)
	}
}

// importNames maps import paths to the names they are used under.
func importNames(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[p] = name
	}
	return m
}

func callsMethod(n ast.Node, method string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == method {
				found = true
			}
		}
		return !found
	})
	return found
}

// isPkgCall reports whether call is pkg.fn for an imported package path.
func isPkgCall(call *ast.CallExpr, imports map[string]string, path string, fns ...string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	name, imported := imports[path]
	return ok && imported && id.Name == name && slices.Contains(fns, sel.Sel.Name)
}

// idents lists the variable references in n: selector field names
// (s.user) are not variables, and subtrees for which skip reports true
// are left out.
func idents(n ast.Node, skip func(ast.Node) bool) []*ast.Ident {
	var out []*ast.Ident
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil || skip != nil && skip(n) {
			return false
		}
		switch x := n.(type) {
		case *ast.SelectorExpr:
			out = append(out, idents(x.X, skip)...)
			return false
		case *ast.Ident:
			out = append(out, x)
		}
		return true
	})
	return out
}

func refs(n ast.Node, set map[string]bool, skip func(ast.Node) bool) bool {
	for _, id := range idents(n, skip) {
		if set[id.Name] {
			return true
		}
	}
	return false
}

// credentialProblems lists the ways fn's credential comparison is not
// constant-time-shaped.
func credentialProblems(fset *token.FileSet, fn *ast.FuncDecl, imports map[string]string) []string {
	pos := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// The two secrets: the first two results of BasicAuth.
	secret := map[string]string{} // ident -> "user" or "pass" (the origin)
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || !callsMethod(as.Rhs[0], "BasicAuth") || len(as.Lhs) < 2 {
			return true
		}
		for i, origin := range []string{"user", "pass"} {
			if id, ok := as.Lhs[i].(*ast.Ident); ok && id.Name != "_" {
				secret[id.Name] = origin
			}
		}
		return true
	})
	if len(secret) != 2 {
		return []string{pos(fn) + ": cannot find the username and password taken from BasicAuth"}
	}

	// Taint: anything assigned from an expression that mentions a
	// secret derives from it; hashed marks digests of secrets.
	tainted := map[string]string{}
	for k, v := range secret {
		tainted[k] = v
	}
	hashed := map[string]bool{}
	for changed := true; changed; {
		changed = false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != len(as.Rhs) {
				return true
			}
			for i, rhs := range as.Rhs {
				id, ok := as.Lhs[i].(*ast.Ident)
				if !ok || id.Name == "_" {
					continue
				}
				origin := ""
				for _, x := range idents(rhs, nil) {
					if tainted[x.Name] != "" {
						origin = tainted[x.Name]
					}
				}
				if origin == "" {
					continue
				}
				if tainted[id.Name] == "" {
					tainted[id.Name] = origin
					changed = true
				}
				if call, ok := rhs.(*ast.CallExpr); ok &&
					(isPkgCall(call, imports, "crypto/sha256", "Sum256", "Sum224") || isPkgCall(call, imports, "crypto/sha512", "Sum512", "Sum384")) &&
					!hashed[id.Name] {
					hashed[id.Name] = true
					changed = true
				}
			}
			return true
		})
	}
	taintSet := map[string]bool{}
	for k := range tainted {
		taintSet[k] = true
	}

	isCTC := func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		return ok && (isPkgCall(c, imports, "crypto/subtle", "ConstantTimeCompare") || isPkgCall(c, imports, "crypto/hmac", "Equal"))
	}

	// Forbidden comparisons. The result of a constant-time comparison is
	// not secret, so comparing it (== 1) is fine.
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			switch x.Op {
			case token.EQL, token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ:
				if (refs(x.X, taintSet, isCTC) || refs(x.Y, taintSet, isCTC)) && !isEmptyCheck(x) {
					errorf("%s: credentials compared with %s (variable-time)", pos(x), x.Op)
				}
			}
		case *ast.CallExpr:
			if (isPkgCall(x, imports, "bytes", "Equal", "Compare", "HasPrefix", "EqualFold") ||
				isPkgCall(x, imports, "strings", "EqualFold", "Compare", "HasPrefix", "HasSuffix", "Contains") ||
				isPkgCall(x, imports, "reflect", "DeepEqual") || isPkgCall(x, imports, "slices", "Equal", "Compare")) &&
				refs(x, taintSet, nil) {
				errorf("%s: credentials compared with a variable-time function", pos(x))
			}
		}
		return true
	})

	// Constant-time comparisons: both secrets, as digests, in one
	// statement, not short-circuited.
	var ctc []*ast.CallExpr
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if isCTC(n) {
			ctc = append(ctc, n.(*ast.CallExpr))
		}
		return true
	})
	compared := map[string]bool{}
	for _, c := range ctc {
		for _, arg := range c.Args {
			for _, id := range idents(arg, nil) {
				if tainted[id.Name] == "" {
					continue
				}
				compared[tainted[id.Name]] = true
				if !hashed[id.Name] {
					errorf("%s: %s reaches the constant-time comparison without being hashed to a fixed length", pos(id), id.Name)
				}
			}
		}
	}
	for _, origin := range []string{"user", "pass"} {
		if !compared[origin] {
			errorf("%s: the %s never reaches crypto/subtle.ConstantTimeCompare", pos(fn), map[string]string{"user": "username", "pass": "password"}[origin])
		}
	}
	var stmts []ast.Stmt
	for _, c := range ctc {
		stmts = append(stmts, enclosingStmt(fn.Body, c))
	}
	if len(ctc) == 0 {
		errorf("%s: no crypto/subtle.ConstantTimeCompare at all", pos(fn))
		return problems
	}
	for _, s := range stmts[1:] {
		if s != stmts[0] {
			errorf("%s: the constant-time comparisons are spread over several statements; a branch between them would skip one", pos(s))
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) {
			for _, c := range ctc {
				if contains(b, c) {
					errorf("%s: constant-time comparisons combined with %s, which short-circuits", pos(b), b.Op)
					return false
				}
			}
		}
		return true
	})
	return problems
}

// isEmptyCheck allows x == "" and len(x) == 0 style checks.
func isEmptyCheck(b *ast.BinaryExpr) bool {
	lit := func(e ast.Expr) bool {
		l, ok := e.(*ast.BasicLit)
		return ok && (l.Value == `""` || l.Value == "0")
	}
	return lit(b.X) || lit(b.Y)
}

func contains(outer, inner ast.Node) bool {
	return outer.Pos() <= inner.Pos() && inner.End() <= outer.End()
}

// enclosingStmt returns the outermost statement of body holding n.
func enclosingStmt(body *ast.BlockStmt, n ast.Node) ast.Stmt {
	for _, s := range body.List {
		if contains(s, n) {
			return s
		}
	}
	return nil
}

// TestConstantTimeCheckCatchesMistakes feeds the shape check variants of
// an authorization function: the safe one passes, each mistake is caught.
func TestConstantTimeCheckCatchesMistakes(t *testing.T) {
	const header = `package p
import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)
type S struct{ user, pass [32]byte; username, password string }
`
	cases := map[string]struct {
		body string
		ok   bool
	}{
		"safe": {ok: true, body: `
	user, pass, ok := r.BasicAuth()
	if !ok || user == "" { return false }
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], s.user[:])&subtle.ConstantTimeCompare(p[:], s.pass[:]) == 1`},
		"plain_equality": {body: `
	user, pass, _ := r.BasicAuth()
	return user == s.username && pass == s.password`},
		"equal_fold": {body: `
	user, pass, _ := r.BasicAuth()
	u := sha256.Sum256([]byte(pass))
	return strings.EqualFold(user, s.username) && subtle.ConstantTimeCompare(u[:], s.pass[:]) == 1`},
		"unhashed": {body: `
	user, pass, _ := r.BasicAuth()
	return subtle.ConstantTimeCompare([]byte(user), []byte(s.username))&subtle.ConstantTimeCompare([]byte(pass), []byte(s.password)) == 1`},
		"short_circuit": {body: `
	user, pass, _ := r.BasicAuth()
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], s.user[:]) == 1 && subtle.ConstantTimeCompare(p[:], s.pass[:]) == 1`},
		"early_return": {body: `
	user, pass, _ := r.BasicAuth()
	u := sha256.Sum256([]byte(user))
	if subtle.ConstantTimeCompare(u[:], s.user[:]) != 1 { return false }
	p := sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(p[:], s.pass[:]) == 1`},
		"password_only": {body: `
	user, pass, _ := r.BasicAuth()
	_ = user
	p := sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(p[:], s.pass[:]) == 1`},
		"derived_compare": {body: `
	user, pass, _ := r.BasicAuth()
	full := user + ":" + pass
	return full == s.username`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := header + "func (s *S) authorized(r *http.Request) bool {" + c.body + "\n}\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name+".go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			fn := f.Decls[len(f.Decls)-1].(*ast.FuncDecl)
			problems := credentialProblems(fset, fn, importNames(f))
			if c.ok && len(problems) > 0 {
				t.Errorf("safe variant flagged: %v", problems)
			}
			if !c.ok && len(problems) == 0 {
				t.Errorf("mistake %s not caught", name)
			}
		})
	}
}
