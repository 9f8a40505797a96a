package browsertest

import (
	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Press presses the keys (runes, or the keys of package
// github.com/chromedp/chromedp/kb such as kb.Enter) one after the other as a
// keyboard does, holding the modifiers mods: for each, a keyDown that
// carries the key's text, then a keyUp. Keys pressed with Ctrl, Alt or Meta
// type no text.
//
// Unlike chromedp.KeyEvent, which sends the text in a separate char event
// that Chromium inserts even when the page prevented the keydown, a key
// whose keydown the page prevents types nothing, as in a real browser.
func Press(keys string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	var m int64
	for _, x := range mods {
		m |= int64(x)
	}
	text := m&^int64(chromedp.ModifierShift) == 0
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			var down, up input.DispatchKeyEventParams
			for _, k := range kb.Encode(r) {
				switch k.Type {
				case input.DispatchKeyEventTypeKeyDown:
					down = *k
				case input.DispatchKeyEventTypeKeyUp:
					up = *k
				case input.DispatchKeyEventTypeChar:
					if text {
						down.Text, down.UnmodifiedText = k.Text, k.UnmodifiedText
					}
				}
			}
			down.Modifiers |= m
			up.Modifiers |= m
			for _, p := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// InsertText enters text into the focused element in one go, as a paste or
// an input method does: one input event and no key events.
func InsertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// MouseClick clicks with the mouse, holding the modifiers mods, the centre
// of the element that the JavaScript expression el gives, once scrolled
// into view. Unlike chromedp.Click, which takes a selector, el can be any
// expression: qa(".card").find((c) => c.textContent === "Go"). The test
// fails if el gives no element.
func (tab *Tab) MouseClick(el string, mods ...chromedp.Modifier) {
	tab.t.Helper()
	xy := Eval[[]float64](tab, `(() => {
		const el = (`+el+`
		);
		if (!el) return [];
		el.scrollIntoView({block: "nearest"});
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	if len(xy) != 2 {
		tab.t.Fatalf("browsertest: no element %s to click", el)
	}
	tab.Do(chromedp.MouseClickXY(xy[0], xy[1], chromedp.ButtonModifiers(mods...)))
}
