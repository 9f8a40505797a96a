package sheen_test

import (
	"encoding/csv"
	"encoding/json"

	"github.com/sheenhq/sheen"
)

// A component that takes CSV files: the page learns the endpoint over the
// session's WebSocket, POSTs each file, and names the uploads in an event;
// the server takes them, reads them as streams, and removes them.
func ExampleSession_AcceptUploads() {
	server := func(s *sheen.Session) {
		up := s.AcceptUploads("files", sheen.UploadLimits{Types: []string{"text/csv"}, MaxFile: 5 << 20})
		_ = s.Send("files", "endpoint", map[string]string{"url": up.URL(), "token": up.Token()})
		s.OnEvent("files", func(name string, data json.RawMessage) {
			var ids []string
			if json.Unmarshal(data, &ids) != nil {
				return
			}
			for _, id := range ids {
				f, ok := up.Take(id) // once: another event naming it gets nothing
				if !ok {
					continue
				}
				if r, err := f.Open(); err == nil {
					rows, _ := csv.NewReader(r).ReadAll()
					_ = rows
					r.Close()
				}
				f.Remove()
			}
		})
	}
	app := sheen.New(sheen.Page("Upload", sheen.TextOutput("files")), server)
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}
