package exitcode

import "testing"

// The numbers are a public contract: a change here breaks users' scripts.
func TestCodesMatchDesign(t *testing.T) {
	want := map[Code]int{OK: 0, Unexpected: 1, Usage: 2, Config: 3, Auth: 4, IdPRefused: 5, Network: 6, Storage: 7, Drift: 8, Interrupted: 130}
	for c, n := range want {
		if int(c) != n {
			t.Errorf("code %d should be %d", c, n)
		}
	}
}
