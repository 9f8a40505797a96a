package anthropic_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
)

// TestDocsStream plays the streamed response of Anthropic's documentation
// (Messages streaming, "Basic streaming request"), byte for byte.
func TestDocsStream(t *testing.T) {
	body, err := os.ReadFile("testdata/docs-basic-stream.txt")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	m := anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: "k", Model: "claude-3-5-sonnet-20241022", MaxRetries: -1})
	r, err := model.Collect(context.Background(), m, model.Request{Messages: []model.Message{{Role: model.User, Text: "Hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Hello!" || r.In != 25 || r.Out != 15 || r.Stop != "end_turn" {
		t.Errorf("reply = %+v", r)
	}
}
