package envmap

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkTranslate100k profiles parse + translate + write of a 100k-line
// gateway file: go test -bench Translate -cpuprofile cpu.out ./internal/envmap
// (bench/run.sh measures the whole command on 10k-1M lines).
func BenchmarkTranslate100k(b *testing.B) {
	head, err := os.ReadFile("testdata/gateway.env")
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.Write(head)
	for i := 0; i < 33_000; i++ {
		fmt.Fprintf(&sb, "# provider %d\nPROVIDER_%d_API_URL=\"https://p%d.example.com/v1\"  # endpoint\nexport PROVIDER_%d_TIMEOUT=${SERVER_PORT}\n", i, i, i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Translate(Parse(data), Options{From: Gateway, To: ADK})
		if err != nil {
			b.Fatal(err)
		}
		_ = res.File.String()
	}
}
