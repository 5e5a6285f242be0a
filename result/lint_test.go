package result_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// resultPath is this package's import path: its own files may spell the
// values out, everything else must use its constants and builders.
const resultPath = "github.com/rtcprobe/rtcprobe/result"

// listedPackage is the part of `go list -json` the lint reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Export     string
	Module     *struct{ Path string }
}

// repoPackages lists the module's packages and the export data of every
// dependency (the go command builds it), so the lint type-checks the
// module's own source without compiling its dependencies from source.
func repoPackages(t *testing.T) (own []listedPackage, exports map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command (e.g. the test binary runs under Wine)")
	}
	cmd := exec.Command("go", "list", "-deps", "-export", "-json=ImportPath,Dir,GoFiles,Export,Module", "./...")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports = map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		exports[p.ImportPath] = p.Export
		if p.Module != nil && p.Module.Path == "github.com/rtcprobe/rtcprobe" {
			own = append(own, p)
		}
	}
	return own, exports
}

// newImporter reads packages from the export data go list named.
func newImporter(fset *token.FileSet, exports map[string]string) types.Importer {
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f := exports[path]
		if f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
}

// TestLintNoStringlyTypedResults is the issue-16 rule: outside this package no
// string literal stands for a status, kind, reason, path, probe ID,
// detail key or route, and no probe ID is taken apart with the strings
// package. Each of those would compile after a rename and silently change
// a verdict.
func TestLintNoStringlyTypedResults(t *testing.T) {
	own, exports := repoPackages(t)
	fset := token.NewFileSet()
	imp := newImporter(fset, exports)
	var problems []string
	for _, p := range own {
		if p.ImportPath == resultPath || len(p.GoFiles) == 0 {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		problems = append(problems, lintFiles(t, fset, imp, p.ImportPath, files)...)
	}
	sort.Strings(problems)
	for _, pr := range problems {
		t.Error(pr)
	}
}

// TestLintCatchesPlantedCases proves the lint can fail: each source below
// breaks the rule once and must be reported.
func TestLintCatchesPlantedCases(t *testing.T) {
	_, exports := repoPackages(t)
	cases := map[string]string{
		"reason compared":    `func f(p *result.Probe) bool { return p.Reason == "timeout" }`,
		"reason in a switch": `func f(p *result.Probe) int { switch p.Reason { case "rst": return 1 }; return 0 }`,
		"status assigned":    `func f(p *result.Probe) { p.Status = "ok" }`,
		"detail key literal": `func f(p *result.Probe) string { return p.Details["via"] }`,
		"detail map literal": `func f(p *result.Probe) { p.Details = map[result.DetailKey]string{"via": "http-proxy"} }`,
		"ID prefix":          `func f(p *result.Probe) bool { return strings.HasPrefix(string(p.ID), "stun/") }`,
		"ID suffix":          `func f(p *result.Probe) bool { return strings.HasSuffix(p.ID.String(), "/tcp/proxy") }`,
		"ID built":           `func f(port string) result.ID { return result.ID("stun/" + port) }`,
		"ID literal":         `func f(p *result.Probe) bool { return p.ID == "pac/fetch" }`,
		"untyped field":      `type s struct{ Reason string }; var _ result.ID; func f(x s) bool { return x.Reason != "timeout" }`,
		"converted reason":   `func f(p *result.Probe) bool { return string(p.Reason) == "timeout" }`,
		"switch on String":   `func f(p *result.Probe) int { switch p.ID.String() { case "pac/fetch": return 1 }; return 0 }`,
		"strings on reason":  `func f(p *result.Probe) bool { return strings.HasPrefix(string(p.Reason), "http-") }`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			src := "package planted\n\nimport (\n\t\"strings\"\n\n\t\"" + resultPath + "\"\n)\n\nvar _ = strings.HasPrefix\n\n" + body + "\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "planted.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := lintFiles(t, fset, newImporter(fset, exports), "planted", []*ast.File{f})
			if len(got) == 0 {
				t.Fatalf("the lint passed %q", body)
			}
		})
	}
	t.Run("clean", func(t *testing.T) {
		src := "package clean\n\nimport \"" + resultPath + "\"\n\nfunc f(p *result.Probe) bool {\n\treturn p.Reason == result.ReasonTimeout && p.Details[result.DetailVia] != \"\" && p.ID.IsSTUN()\n}\n"
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "clean.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := lintFiles(t, fset, newImporter(fset, exports), "clean", []*ast.File{f}); len(got) != 0 {
			t.Fatalf("the lint flags correct code: %v", got)
		}
	})
}

// lintFiles type-checks one package and returns its violations.
func lintFiles(t *testing.T, fset *token.FileSet, imp types.Importer, path string, files []*ast.File) []string {
	t.Helper()
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(path, fset, files, info); err != nil {
		t.Fatalf("type-checking %s: %v", path, err)
	}
	l := &linter{fset: fset, info: info}
	for _, f := range files {
		ast.Inspect(f, l.visit)
	}
	return l.problems
}

// linter collects the violations of one package.
type linter struct {
	fset     *token.FileSet
	info     *types.Info
	problems []string
}

func (l *linter) report(n ast.Node, format string, args ...any) {
	l.problems = append(l.problems, l.fset.Position(n.Pos()).String()+": "+fmt.Sprintf(format, args...))
}

// resultType returns the name of t when it is a named type of package
// result, else "".
func resultType(t types.Type) string {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != resultPath {
		return ""
	}
	return n.Obj().Name()
}

// typedFields are the field names whose values the verdict decides on.
var typedFields = map[string]bool{"Reason": true, "Status": true, "Kind": true, "ID": true}

func (l *linter) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BasicLit:
		if n.Kind == token.STRING && n.Value != `""` {
			if name := resultType(l.info.Types[n].Type); name != "" {
				l.report(n, "string literal %s used as result.%s: use its constant or builder", n.Value, name)
			}
		}
	case *ast.BinaryExpr:
		if n.Op == token.EQL || n.Op == token.NEQ {
			l.compared(n, n.X, n.Y)
			l.compared(n, n.Y, n.X)
		}
	case *ast.SwitchStmt:
		if n.Tag != nil && isTypedField(l.unconvert(n.Tag)) {
			for _, c := range n.Body.List {
				for _, e := range c.(*ast.CaseClause).List {
					if isStringLit(e) {
						l.report(e, "switch on %s with a string literal case", fieldName(l.unconvert(n.Tag)))
					}
				}
			}
		}
	case *ast.CallExpr:
		l.stringsOnID(n)
	}
	return true
}

// compared flags field == "literal" for the typed fields, whatever the
// field's type (a plain string field named Reason is the same mistake).
func (l *linter) compared(n ast.Node, field, lit ast.Expr) {
	if field = l.unconvert(field); isTypedField(field) && isStringLit(lit) {
		l.report(n, "%s compared with a string literal", fieldName(field))
	}
}

// unconvert returns x for string(x) and x.String(), else e: converting a
// typed field to a plain string first does not make a literal beside it
// any less a name of that type.
func (l *linter) unconvert(e ast.Expr) ast.Expr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return e
	}
	if tv, ok := l.info.Types[call.Fun]; ok && tv.IsType() && len(call.Args) == 1 {
		if b, ok := tv.Type.(*types.Basic); ok && b.Kind() == types.String {
			return call.Args[0]
		}
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "String" && len(call.Args) == 0 {
		return sel.X
	}
	return e
}

// stringsOnID flags strings.HasPrefix/HasSuffix/Contains/Cut/... on a
// probe ID, and a result.ID made by conversion from a non-constant
// string: IDs are built and parsed in package result only.
func (l *linter) stringsOnID(call *ast.CallExpr) {
	if tv, ok := l.info.Types[call.Fun]; ok && tv.IsType() {
		if resultType(tv.Type) == "ID" && len(call.Args) == 1 && l.info.Types[call.Args[0]].Value == nil {
			l.report(call, "result.ID built by conversion: use a builder (result.STUNID, WebID, ...)")
		}
		return
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	pn, ok := l.info.Uses[pkg].(*types.PkgName)
	if !ok || pn.Imported().Path() != "strings" || len(call.Args) == 0 {
		return
	}
	if l.isID(call.Args[0]) {
		l.report(call, "strings.%s on a probe ID: use ID.Parse or its predicates", sel.Sel.Name)
	} else if f := l.unconvert(call.Args[0]); f != call.Args[0] && isTypedField(f) {
		l.report(call, "strings.%s on %s: use its constants or predicates (Reason.IsHTTP, ...)", sel.Sel.Name, fieldName(f))
	}
}

// isID reports whether e is a probe ID: an .ID field, a value of type
// result.ID, or one converted to string (string(p.ID), p.ID.String()).
func (l *linter) isID(e ast.Expr) bool {
	e = ast.Unparen(e)
	if resultType(l.info.Types[e].Type) == "ID" || fieldName(e) == "ID" {
		return true
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		if len(e.Args) == 1 {
			return l.isID(e.Args[0])
		}
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "String" {
			return l.isID(sel.X)
		}
	}
	return false
}

func isTypedField(e ast.Expr) bool { return typedFields[fieldName(e)] }

// fieldName returns the selected name of x.Name, else "".
func fieldName(e ast.Expr) string {
	if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}

func isStringLit(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	// The empty string is the zero value ("no reason"), not a name.
	return ok && lit.Kind == token.STRING && lit.Value != `""` && lit.Value != "``"
}
