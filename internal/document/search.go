package document

import (
	"strings"
	"unicode"
)

// Search works the same on both engines because the text is prepared here,
// in Go, before either engine sees it: lower case, every run of letters and
// digits a word, everything else a space, and every run of Chinese,
// Japanese or Korean characters (which has no spaces) written as its
// overlapping character bigrams followed by its last character. "液压泵" is
// indexed as "液压 压泵 泵". A query is prepared the same way: a Latin word
// matches as a prefix ("manu" finds "manual"), a CJK run as the phrase of
// its bigrams, so any substring of two or more characters is found, and a
// single character as the prefix of a bigram (or the final unigram). SQLite
// indexes the prepared text with FTS5 (unicode61), PostgreSQL with
// to_tsvector('simple', …); both split it at the spaces alone.

// isCJK reports the characters written without spaces between words.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r)
}

// term is one unit of a prepared text: a word, or a CJK run as its bigrams.
type term struct {
	word string   // a Latin (or other spaced-script) word
	cjk  []string // the bigrams of a CJK run; one element for a single character
}

// terms splits text into words and CJK runs.
func terms(text string) []term {
	var out []term
	var word strings.Builder
	var run []rune
	flush := func() {
		if word.Len() > 0 {
			out = append(out, term{word: word.String()})
			word.Reset()
		}
		if len(run) > 0 {
			t := term{}
			if len(run) == 1 {
				t.cjk = []string{string(run)}
			}
			for i := 0; i+1 < len(run); i++ {
				t.cjk = append(t.cjk, string(run[i:i+2]))
			}
			out = append(out, t)
			run = run[:0]
		}
	}
	for _, r := range text {
		switch {
		case isCJK(r):
			if word.Len() > 0 {
				flush()
			}
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(run) > 0 {
				flush()
			}
			word.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// indexText is text prepared for the index.
func indexText(text string) string {
	var b strings.Builder
	for _, t := range terms(text) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if t.word != "" {
			b.WriteString(t.word)
			continue
		}
		b.WriteString(strings.Join(t.cjk, " "))
		if len(t.cjk) > 1 {
			last := []rune(t.cjk[len(t.cjk)-1])
			b.WriteByte(' ')
			b.WriteString(string(last[1]))
		}
	}
	return b.String()
}

// maxQueryTerms bounds a search query.
const maxQueryTerms = 12

// ftsQuery is q as an SQLite FTS5 query: every term must match. The terms
// hold letters and digits only, so quoting them leaves nothing to escape.
func ftsQuery(q string) string {
	return strings.Join(queryParts(q, func(s string) string { return `"` + s + `"*` },
		func(cjk []string) string { return `"` + strings.Join(cjk, " ") + `"` }), " AND ")
}

// tsQuery is q as a PostgreSQL tsquery for to_tsquery('simple', …).
func tsQuery(q string) string {
	return strings.Join(queryParts(q, func(s string) string { return s + ":*" },
		func(cjk []string) string { return "(" + strings.Join(cjk, " <-> ") + ")" }), " & ")
}

// queryParts writes the first maxQueryTerms terms of q: a word or a lone
// CJK character as a prefix, a run of CJK characters as a phrase.
func queryParts(q string, prefix func(string) string, phrase func(cjk []string) string) []string {
	var parts []string
	for i, t := range terms(q) {
		if i == maxQueryTerms {
			break
		}
		switch {
		case t.word != "":
			parts = append(parts, prefix(t.word))
		case len(t.cjk) == 1 && len([]rune(t.cjk[0])) == 1:
			parts = append(parts, prefix(t.cjk[0]))
		default:
			parts = append(parts, phrase(t.cjk))
		}
	}
	return parts
}

// maxIndexBytes bounds the prepared body text of one document in the index.
// PostgreSQL refuses a tsvector over 1 MB; 256 KiB of prepared text (some
// 40,000 words, or 35,000 Chinese characters) stays well under it on both
// engines. The stored text of a version is not cut.
const maxIndexBytes = 256 << 10
