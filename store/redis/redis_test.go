package redis_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
	"github.com/sheenhq/sheen/store/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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
