// Command gendocs writes igctl's shell completions and man pages, generated
// from the command tree, for release archives and packages:
//
//	go run ./internal/tools/gendocs -completions completions -man manpages
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra/doc"

	"github.com/inference-gateway/igctl/internal/cli"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

func main() {
	compDir := flag.String("completions", "completions", "directory for completion scripts")
	manDir := flag.String("man", "manpages", "directory for man pages")
	flag.Parse()
	if err := run(*compDir, *manDir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(compDir, manDir string) error {
	io, _, _, _ := iostreams.Test()
	root := cli.NewRootCmd(cmdutil.New(io))
	root.DisableAutoGenTag = true // reproducible output
	for _, d := range []string{compDir, manDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	writers := map[string]func(string) error{
		"igctl.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_igctl":     root.GenZshCompletionFile,
		"igctl.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"igctl.ps1":  root.GenPowerShellCompletionFileWithDesc,
	}
	for name, write := range writers {
		if err := write(filepath.Join(compDir, name)); err != nil {
			return err
		}
	}
	return doc.GenManTree(root, &doc.GenManHeader{Title: "IGCTL", Section: "1", Source: "igctl"}, manDir)
}
