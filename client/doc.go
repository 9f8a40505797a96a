// Package client embeds sheen's page runtime: vanilla JavaScript ES modules
// and one stylesheet, with no framework, bundler or build step.
//
// The server serves [FS] from one content-hashed directory URL; a page loads
// sheen.js as a module (it imports its siblings with relative URLs) and
// sheen.css as a stylesheet. The runtime connects to the WebSocket named by
// <meta name="sheen-ws" content="…">, binds elements marked with
// data-sheen-input, renders data-sheen-output elements, shows notices and the
// connection status, and drives components registered with the module's
// registerComponent export. docs/protocol.md describes the DOM contract and
// the wire protocol.
//
// The modules' unit tests (*.test.mjs, not embedded) run with `node --test
// client/`.
package client
