package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// templates holds one parsed set per page kind: the layout and chart
// partials plus that page's "content".
type templates struct{ sets map[string]*template.Template }

var funcs = template.FuncMap{
	"add":     func(a, b float64) float64 { return r1(a + b) },
	"sub":     func(a, b float64) float64 { return r1(a - b) },
	"arrow":   arrow,
	"sql":     shortSQL,
	"count":   formatCount,
	"parts":   nameParts,
	"name":    name,
	"message": func(s string) string { return cut(s, messageMax) },
}

// nameParts cuts a dotted or underscored name after each . and _, so a
// template can offer a line break there (<wbr>) in a narrow column head.
func nameParts(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "._")
		if i < 0 {
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func arrow(dir string) string {
	switch dir {
	case "up":
		return "▲"
	case "down":
		return "▼"
	}
	return "●"
}

// r1 rounds an SVG coordinate to one decimal, which prints short.
func r1(v float64) float64 { return math.Round(v*10) / 10 }

func parseTemplates() (*templates, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/charts.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	t := &templates{sets: map[string]*template.Template{}}
	for _, name := range []string{"index", "kpi", "health", "milestone", "census"} {
		set, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := set.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		t.sets[name] = set
	}
	return t, nil
}

func (t *templates) execute(w io.Writer, name string, data any) error {
	return t.sets[name].ExecuteTemplate(w, "layout", data)
}
