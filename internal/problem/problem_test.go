package problem

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		s        string
		required bool
		max      int
		bad      bool
	}{
		"ok":             {"维修 OK", true, 10, false},
		"newline ok":     {"a\nb\tc", true, 10, false},
		"empty optional": {"", false, 10, false},
		"empty required": {"  ", true, 10, true},
		"too long":       {strings.Repeat("字", 11), true, 10, true},
		"nul":            {"a\x00b", true, 10, true},
		"escape":         {"a\x1bb", true, 10, true},
		"invalid utf8":   {"a\xffb", true, 10, true},
		"replacement":    {"a\uFFFDb", true, 10, true},
	} {
		var fs Fields
		CheckText(&fs, "f", c.s, c.required, c.max)
		if (fs.Err() != nil) != c.bad {
			t.Errorf("%s: err=%v, want bad=%v", name, fs.Err(), c.bad)
		}
	}
}

func TestKindsAreDocumented(t *testing.T) {
	t.Parallel()
	seen := map[Kind]bool{}
	for _, k := range Kinds {
		if seen[k.Kind] || k.Status < 400 || k.Meaning == "" {
			t.Errorf("kind %s: duplicate or undocumented", k.Kind)
		}
		seen[k.Kind] = true
		if k.Kind.Status() != k.Status || !strings.HasPrefix(k.Kind.TypeURI(), "/problems/") {
			t.Errorf("kind %s: status or type", k.Kind)
		}
	}
	if Kind("nonsense").Status() != 500 {
		t.Error("unknown kind is not 500")
	}
}

func TestAsAndIs(t *testing.T) {
	t.Parallel()
	var fs Fields
	if fs.Err() != nil {
		t.Fatal("empty fields is an error")
	}
	fs.Add("a", "bad %d", 1)
	err := fs.Err()
	if !Is(err, Invalid) || Is(err, NotFound) {
		t.Fatal("Is")
	}
	if !strings.Contains(err.Error(), "a: bad 1") {
		t.Fatalf("message %q", err)
	}
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	var fs Fields
	fs.Add("name", "is longer than %d characters", 80)
	fs.Add("code", "%s", "built elsewhere")
	fs.Add("window", "must be after the start (%s)", "09:00")
	zh := map[string]string{
		"validation failed":            "校验未通过",
		"is longer than %d characters": "超过 %d 个字符",
		"must be after the start (%s)": "必须晚于开始时间（%[1]s）",
	}
	tr := func(f string) (string, bool) { s, ok := zh[f]; return s, ok }
	p, _ := As(fs.Err())
	got := p.Translate(tr)
	if got.Detail != "校验未通过" || got.Fields[0].Message != "超过 80 个字符" || got.Fields[1].Message != "built elsewhere" ||
		got.Fields[2].Message != "必须晚于开始时间（09:00）" || got.Fields[0].Field != "name" {
		t.Fatalf("translated: %+v", got)
	}
	if p.Fields[0].Message != "is longer than 80 characters" {
		t.Fatal("Translate changed the original")
	}
	conflict := New(Conflict, "work order %d is %s; check in once, before the work", 7, "on_site")
	if got := conflict.Translate(func(string) (string, bool) { return "工单 %[1]d 已是 %[2]s", true }); got.Detail != "工单 7 已是 on_site" || got.Kind != Conflict {
		t.Fatalf("detail: %+v", got)
	}
}

func TestTranslateWordsAndNestedProblems(t *testing.T) {
	t.Parallel()
	zh := map[string]string{
		"agreement %s is %s: its terms can no longer change": "协议 %s 的状态为“%s”：其条款已不能更改",
		"agreement_status.terminated":                        "已终止",
		"the changes no longer apply to version %d: %v":      "这些更改已不适用于第 %d 版：%v",
		"validation failed":                                  "校验未通过",
		"must be at least %d":                                "不能少于 %d",
	}
	tr := func(f string) (string, bool) { s, ok := zh[f]; return s, ok }
	p := New(Conflict, "agreement %s is %s: its terms can no longer change", "A-1", Enum("agreement_status.", "terminated"))
	if p.Detail != "agreement A-1 is terminated: its terms can no longer change" {
		t.Errorf("English: %s", p.Detail)
	}
	if got := p.Translate(tr).Detail; got != "协议 A-1 的状态为“已终止”：其条款已不能更改" {
		t.Errorf("zh: %s", got)
	}
	// A word with no translation keeps its value; an untranslated message keeps its English.
	if got := New(Conflict, "agreement %s is %s: its terms can no longer change", "A-1", Enum("agreement_status.", "Odd")).Translate(tr).Detail; got != "协议 A-1 的状态为“Odd”：其条款已不能更改" {
		t.Errorf("unknown word: %s", got)
	}
	if w := Enum("agreement_status.", "Terminated"); w.ID != "agreement_status.terminated" || w.String() != "Terminated" {
		t.Errorf("Enum: %+v", w)
	}

	nested := Field("changes.x", "must be at least %d", 12)
	outer := Because(Conflict, "agreement_changed", "the changes no longer apply to version %d: %v", 2, nested)
	if outer.Detail != "the changes no longer apply to version 2: validation: validation failed; changes.x: must be at least 12" {
		t.Errorf("English: %s", outer.Detail)
	}
	if got := outer.Translate(tr); got.Detail != "这些更改已不适用于第 2 版：changes.x: 不能少于 12" || got.Reason != "agreement_changed" {
		t.Errorf("zh: %+v", got)
	}
	if got := outer.Translate(tr).Says(); got != "这些更改已不适用于第 2 版：changes.x: 不能少于 12" {
		t.Errorf("Says: %s", got)
	}
	if got := nested.Says(); got != "changes.x: must be at least 12" {
		t.Errorf("Says of fields: %s", got)
	}
}
