// Package build holds the version, commit and date stamped into the binary by
// the release (-ldflags -X) and falls back to the module's build info, so a
// `go install` build still reports something true.
package build

import (
	"runtime/debug"
	"sync"
)

// Set with -ldflags "-X github.com/inference-gateway/igctl/internal/build.Version=..." etc.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is what `igctl version` prints.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

var fromBuildInfo = sync.OnceValue(func() Info {
	info := Info{Version: "dev", Commit: "unknown", Date: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			info.Date = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				info.Commit += "-dirty"
			}
		}
	}
	return info
})

// Get returns the stamped values, each falling back to the module build info.
func Get() Info {
	info := fromBuildInfo()
	if Version != "" {
		info.Version = Version
	}
	if Commit != "" {
		info.Commit = Commit
	}
	if Date != "" {
		info.Date = Date
	}
	return info
}
