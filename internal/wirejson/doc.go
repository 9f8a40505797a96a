// Package wirejson appends JSON for the hot frames of a streaming reply
// (a chat's patch, the update that carries it) without reflection. Its
// output is byte for byte what encoding/json writes with HTML escaping off
// (json.Encoder.SetEscapeHTML(false)), as the protocol package and the
// session encode frames; the tests pin that against encoding/json.
package wirejson
