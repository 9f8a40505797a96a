package tools_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/tools"
)

func ExampleFunc() {
	type args struct {
		City string `json:"city" jsonschema:"description=The city"`
	}
	weather := tools.Func("get_weather", "The current weather in a city.", func(ctx context.Context, a args) (string, error) {
		return "18 °C and sunny in " + a.City, nil
	})
	fmt.Println(string(weather.Spec().Schema))

	// What chat.Respond does with a call the model made:
	o := tools.Run(context.Background(), weather, model.ToolCall{ID: "call_1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)})
	fmt.Println(o.ModelText())
	o = tools.Run(context.Background(), weather, model.ToolCall{ID: "call_2", Name: "get_weather", Args: json.RawMessage(`{"town":"Paris"}`)})
	fmt.Println(o.ModelText())
	// Output:
	// {"properties":{"city":{"type":"string","description":"The city"}},"additionalProperties":false,"type":"object","required":["city"]}
	// 18 °C and sunny in Paris
	// Error: invalid arguments: missing required city
}
