package markdown

// Escape appends src to dst with the characters that are special in HTML
// (&, <, >, ' and ") escaped, so that a browser shows src literally. Invalid
// UTF-8 and NUL bytes become U+FFFD.
func Escape(dst, src []byte) []byte {
	return escapeText(dst, normalize(nil, src))
}

// Text appends HTML that shows src as plain text, line breaks included: src
// escaped as by [Escape], with each line ending ("\n", "\r\n" or "\r") as
// <br>. It is for text that must not be read as markdown, such as what a
// user typed.
func Text(dst, src []byte) []byte {
	src = normalize(nil, src)
	for len(src) > 0 {
		i := 0
		for i < len(src) && src[i] != '\n' {
			i++
		}
		dst = escapeText(dst, src[:i])
		if i == len(src) {
			break
		}
		dst = append(dst, "<br>\n"...)
		src = src[i+1:]
	}
	return dst
}
