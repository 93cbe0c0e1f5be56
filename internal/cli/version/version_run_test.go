package version

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/inference-gateway/igctl/internal/build"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// stamp sets what -ldflags -X would and restores it after the test.
func stamp(t *testing.T, version, commit, date string) {
	t.Helper()
	v, c, d := build.Version, build.Commit, build.Date
	build.Version, build.Commit, build.Date = version, commit, date
	t.Cleanup(func() { build.Version, build.Commit, build.Date = v, c, d })
}

func TestVersionRunText(t *testing.T) {
	stamp(t, "v1.2.3", "abc1234", "2026-01-02T03:04:05Z")
	io, _, out, errOut := iostreams.Test()
	if err := versionRun(NewOptions(cmdutil.New(io))); err != nil {
		t.Fatal(err)
	}
	if want := "igctl v1.2.3 (commit abc1234, built 2026-01-02T03:04:05Z)\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q", errOut)
	}
}

func TestVersionRunJSON(t *testing.T) {
	stamp(t, "v1.2.3", "abc1234", "2026-01-02T03:04:05Z")
	io, _, out, _ := iostreams.Test()
	if err := versionRun(jsonOpts(io)); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]string{"version": "v1.2.3", "commit": "abc1234", "date": "2026-01-02T03:04:05Z"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %s)", k, got[k], v, out)
		}
	}
}

// Unstamped (go build, go run): the build info's values, never empty.
func TestVersionRunUnstamped(t *testing.T) {
	stamp(t, "", "", "")
	io, _, out, _ := iostreams.Test()
	if err := versionRun(jsonOpts(io)); err != nil {
		t.Fatal(err)
	}
	var got build.Info
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Version == "" || got.Commit == "" || got.Date == "" {
		t.Errorf("%v: %s", err, out)
	}
}

// The command refuses arguments as a usage error (exit 2).
func TestVersionCmdRefusesArgs(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	cmd := NewCmdVersion(cmdutil.New(io), func(*Options) error { t.Fatal("ran"); return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); cmdutil.Class(err) != cmdutil.Usage {
		t.Errorf("err = %v (kind %q)", err, cmdutil.Class(err))
	}
}

func jsonOpts(io *iostreams.IOStreams) *Options {
	o := NewOptions(cmdutil.New(io))
	o.JSON = true
	return o
}

// failingWriter is a stdout that is gone (a closed pipe).
type failingWriter struct{}

var errClosed = errors.New("write |1: broken pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

// versionRun writes to the IO it is given, and a stdout that cannot be
// written is its error (in both formats), not a silent success.
func TestVersionRunReportsAFailingStdout(t *testing.T) {
	stamp(t, "v1.2.3", "abc1234", "2026-01-02T03:04:05Z")
	for _, json := range []bool{false, true} {
		io, _, _, _ := iostreams.Test()
		o := NewOptions(cmdutil.New(io))
		o.IO = &iostreams.IOStreams{Out: failingWriter{}, ErrOut: io.ErrOut, In: io.In}
		o.JSON = json
		if err := versionRun(o); !errors.Is(err, errClosed) {
			t.Errorf("json=%v: err = %v, want the write error", json, err)
		}
	}
}
