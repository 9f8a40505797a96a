package redis_test

import (
	"context"
	"log"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
)

func ExampleOpen() {
	ctx := context.Background()
	s, err := redis.Open(ctx, "127.0.0.1:6379", redis.WithTTL(90*24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Create(ctx, store.Conversation{ID: "c1", Owner: "alice", Title: "Hello"}); err != nil {
		log.Fatal(err)
	}
}

func ExampleNew() {
	// A client of the app's own: short timeouts, so that a Redis that went
	// away fails a call quickly.
	c := goredis.NewClient(&goredis.Options{
		Addr:        "127.0.0.1:6379",
		DialTimeout: time.Second,
		MaxRetries:  1,
	})
	defer c.Close()
	s := redis.New(c, redis.WithPrefix("myapp:"))
	_ = s
}
