package redis_test

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
	"github.com/sheenhq/sheen/store/storetest"
)

func TestMain(m *testing.M) {
	// go-redis logs each failed dial to the standard logger; the tests that
	// stop Redis expect them.
	goredis.SetLogger(quiet{})
	goleak.VerifyTestMain(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// open returns a store on a server of tb's own.
func open(tb testing.TB, opts ...redis.Option) *redis.Store {
	tb.Helper()
	return openAt(tb, redistest.Start(tb), opts...)
}

func openAt(tb testing.TB, addr string, opts ...redis.Option) *redis.Store {
	tb.Helper()
	s, err := redis.Open(context.Background(), addr, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return open(b) })
}
