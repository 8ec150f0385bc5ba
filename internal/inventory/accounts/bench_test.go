package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/testutil"
)

func BenchmarkCollectDebianFixture(b *testing.B) {
	root := testutil.FixtureRoot(b, "debian")
	c := &Collector{Now: func() time.Time { return fixedNow }}
	for i := 0; i < b.N; i++ {
		env, _ := inventory.TestEnv(root, "accounts/local")
		if _, err := c.Collect(context.Background(), env); err != nil {
			b.Fatal(err)
		}
	}
}
