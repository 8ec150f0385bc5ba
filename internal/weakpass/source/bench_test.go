package source

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

// BenchmarkCollectFixture: every source over the fixture root (the file
// work of one weakpass scan, without the databases or cracking).
func BenchmarkCollectFixture(b *testing.B) {
	fsys := testutil.OpenRoot(b, fixture)
	for b.Loop() {
		Collect(context.Background(), &Env{FS: fsys})
	}
}

// BenchmarkParseShadow: a 10,000-account shadow file.
func BenchmarkParseShadow(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "user%d:$y$j9T$Z7oW/6y7gzGl25eraIaCs1$6l4JvHRx/Yc4Xgkn050TXEk6gj5Pc6eIOsE5OCSSipC:19700:0:99999:7:::\n", i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ParseShadow(data)
	}
}
