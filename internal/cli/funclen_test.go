package cli

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// maxFuncLines is the longest a product function may be, from its func
// line to its closing brace: past it, a function carries several phases
// that want names of their own.
const maxFuncLines = 80

// longFuncs lists the functions of f longer than maxFuncLines. The cobra
// constructors (NewCmd…, NewRootCmd) are excepted: they are flag lists, and
// splitting them would only scatter the flags.
func longFuncs(path string, f *ast.File, fset *token.FileSet) []string {
	var long []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		if name := fd.Name.Name; strings.HasPrefix(name, "NewCmd") || name == "NewRootCmd" {
			continue
		}
		start, end := fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line
		if n := end - start + 1; n > maxFuncLines {
			long = append(long, fmt.Sprintf("%s:%d: %s is %d lines (at most %d): split it into named steps", path, start, fd.Name.Name, n, maxFuncLines))
		}
	}
	return long
}

func TestFunctionsShort(t *testing.T) {
	sources(t, func(path string, f *ast.File, fset *token.FileSet) {
		if strings.HasPrefix(path, "internal/testenv/") {
			return // test scaffolding, not product code
		}
		for _, msg := range longFuncs(path, f, fset) {
			t.Error(msg)
		}
	})
}

// TestFunctionsShortCatchesLong checks the guard itself: a long function
// is reported, a long cobra constructor is not.
func TestFunctionsShortCatchesLong(t *testing.T) {
	body := strings.Repeat("\t_ = 0\n", maxFuncLines-1)
	src := "package p\n\nfunc long() {\n" + body + "}\n\nfunc NewCmdX() {\n" + body + "}\n\nfunc short() {\n" + body[:len(body)-len("\t_ = 0\n")] + "}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := longFuncs("p.go", f, fset)
	if len(got) != 1 || !strings.Contains(got[0], "long is 81 lines") {
		t.Errorf("longFuncs = %q, want only long (81 lines)", got)
	}
}
