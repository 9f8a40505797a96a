package pagetest_test

import (
	"encoding/json"
	"fmt"

	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/protocol"
)

// A View follows a streamed reply: the start, patches that grow the open
// tail or commit blocks, and the end.
func ExampleView() {
	var v pagetest.View
	for _, m := range []struct{ name, data string }{
		{"start", `{"message":{"id":"m1","role":"assistant","html":""}}`},
		{"patch", `{"id":"m1","answer":{"tail":"<p>Hello"}}`},
		{"patch", `{"id":"m1","answer":{"keep":8,"tail":", world</p>"}}`},
		{"patch", `{"id":"m1","answer":{"from":0,"keep":15,"blocks":["</p>"],"tail":"<p>Bye"}}`},
		{"end", `{"id":"m1","status":"done"}`},
	} {
		if err := v.Apply(protocol.Message{Target: "chat", Name: m.name, Data: json.RawMessage(m.data)}); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(v.HTML("m1"))
	fmt.Printf("%q %s\n", v.Texts(), v.Status("m1"))
	// Output:
	// <p>Hello, world</p><p>Bye
	// ["Hello, worldBye"] done
}
