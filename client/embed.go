package client

import "embed"

// FS holds the runtime: sheen.js, the modules it imports, and sheen.css.
// Test files (*.test.mjs) are not included.
//
//go:embed *.js *.css
var FS embed.FS

// Components are the component modules the page loads, in order, after
// sheen.js: each imports sheen.js and registers its kinds with
// registerComponent (the runtime imports none of them).
var Components = []string{"chat.js"}
