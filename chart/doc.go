// Package chart draws charts on the server as SVG built with sheen's
// builders: line, bar and scatter charts, themed by the client stylesheet
// (light and dark follow the page, or are forced per chart).
//
// A chart is a [sheen.Node]: trusted by type (sheen built every element and
// escaped every text), never parsed from text. Put it on a page, in an
// output ([sheen.RenderUI]) or in a chat message's live UI, where it
// re-renders when what it reads changes.
//
// The SVG holds no style attributes and no scripts: colours come from
// classes (sheen-chart-s0 … sheen-chart-s7) that client/chart.css styles,
// so a chart passes sheen's Content-Security-Policy (style-src 'self', no
// 'unsafe-inline') and changes colours with the page's theme without being
// drawn again. Why not a general plotting library: docs/chat.md ("Charts").
package chart
