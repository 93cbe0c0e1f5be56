package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/inference-gateway/igctl"

// domain are the packages below the commands: reusable without cobra, the
// terminal or igctl's command line.
var domain = []string{"token", "config", "keycloak", "envmap", "gateway", "proxy", "fault", "exitcode", "atomicfile"}

func TestDomainPackagesImportNoCLI(t *testing.T) {
	for _, p := range domain {
		out, err := exec.Command("go", "list", "-deps", module+"/internal/"+p).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", p, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, module+"/internal/cli") || strings.HasPrefix(dep, module+"/internal/iostreams") ||
				dep == "github.com/spf13/cobra" || strings.HasPrefix(dep, "charm.land/lipgloss") {
				t.Errorf("internal/%s depends on %s", p, dep)
			}
		}
	}
}

// sources calls fn with every non-test Go file under internal/ and cmd/.
func sources(t *testing.T, fn func(path string, f *ast.File, fset *token.FileSet)) {
	t.Helper()
	root := filepath.Join("..", "..")
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			fn(filepath.ToSlash(rel), f, fset)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Every exit code is decided in internal/cli/cmdutil/exits.go: elsewhere a
// failure is a fault.Kind, and nobody names an exit code.
func TestExitCodesAssignedInOneFile(t *testing.T) {
	sources(t, func(path string, f *ast.File, fset *token.FileSet) {
		if path == "internal/cli/cmdutil/exits.go" || strings.HasPrefix(path, "internal/exitcode/") {
			return
		}
		// the name the file imports the exitcode package under
		name := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == module+"/internal/exitcode" {
				name = "exitcode"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		if name == "" {
			return
		}
		ast.Inspect(f, func(node ast.Node) bool {
			switch n := node.(type) {
			case *ast.CallExpr: // exitcode.Code(4): a number made into a code
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && sel.Sel.Name == "Code" {
						t.Errorf("%s: exitcode.Code(…): exit codes are decided in internal/cli/cmdutil/exits.go", fset.Position(n.Pos()))
					}
				}
			case *ast.SelectorExpr: // exitcode.Auth and friends; the type name alone is fine
				if id, ok := n.X.(*ast.Ident); ok && id.Name == name && n.Sel.Name != "Code" {
					t.Errorf("%s: exitcode.%s: exit codes are decided in internal/cli/cmdutil/exits.go", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	})
}

// A domain package says what failed; what to type next is the command
// layer's business (the table in exits.go), so no domain error names an
// igctl command.
func TestDomainErrorsNameNoCommand(t *testing.T) {
	cmd := regexp.MustCompile("`igctl |run igctl ")
	sources(t, func(path string, f *ast.File, fset *token.FileSet) {
		isDomain := false
		for _, p := range domain {
			if strings.HasPrefix(path, "internal/"+p+"/") {
				isDomain = true
			}
		}
		if !isDomain {
			return
		}
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && cmd.MatchString(s) {
				t.Errorf("%s: %q names an igctl command", fset.Position(lit.Pos()), s)
			}
			return true
		})
	})
}

// A command's Options hold what its run function reads, each a value or a
// getter a test can replace, never the whole Factory; nor does any other
// struct of a command package (Deps, Flow, a run's state), by pointer or value.
func TestOptionsHoldNoFactory(t *testing.T) {
	sources(t, func(path string, f *ast.File, fset *token.FileSet) {
		if !strings.HasPrefix(path, "internal/cli/") || strings.HasPrefix(path, "internal/cli/cmdutil/") || strings.Count(path, "/") < 3 {
			return
		}
		ast.Inspect(f, func(node ast.Node) bool {
			ts, ok := node.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				typ := field.Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				if sel, ok := typ.(*ast.SelectorExpr); ok && sel.Sel.Name == "Factory" {
					t.Errorf("%s: %s holds the whole cmdutil.Factory: give it the getters its run function reads", fset.Position(field.Pos()), ts.Name.Name)
				}
			}
			return true
		})
	})
}
