package openai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/openai"
)

// TestDocsChunks plays the chunks of OpenAI's API reference ("The chat
// completion chunk object", streamed), byte for byte, ended by [DONE].
func TestDocsChunks(t *testing.T) {
	body, err := os.ReadFile("testdata/docs-chunks.txt")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	m := openai.New(openai.Config{BaseURL: srv.URL, Model: "gpt-4o-mini", MaxRetries: -1})
	r, err := model.Collect(context.Background(), m, model.Request{Messages: []model.Message{{Role: model.User, Text: "Hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Hello" || r.Stop != "stop" {
		t.Errorf("reply = %+v", r)
	}
}
