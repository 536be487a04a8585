package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marcboeker/go-duckdb"
	"github.com/persona-kpi/kpi/store"
	"github.com/urfave/cli/v2"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "run ad hoc SQL against the DuckDB file (read-only)",
		UsageText: "kpi query [--db FILE] [--format table|csv|json] SQL   (SQL from stdin when omitted or -)",
		Description: `Opens the database read-only: only queries (SELECT, WITH, VALUES, FROM, DESCRIBE,
SHOW, SUMMARIZE, EXPLAIN) run, and nothing can change the database or write a file.
Reading files (read_parquet, read_csv, a path in FROM) is refused too, unless
--allow-files asks for it.

Examples:
   kpi query "select day, count(*) as sessions from sessions group by day order by day"
   kpi query --format csv "select * from runs" > runs.csv
   echo "select reason, count(*) from rejects group by reason" | kpi query --format json
   kpi query --allow-files "select count(*) from 'data/parquet/sessions/*/*.parquet'"`,
		Flags: []cli.Flag{
			dbFlag,
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "output `FORMAT`: table, csv (with a header row) or json"},
			&cli.BoolFlag{Name: "allow-files", Usage: "let the query read files (Parquet, CSV, JSON) anywhere you can read; it still writes nothing"},
			configFlag,
		},
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			query := strings.Join(c.Args().Slice(), " ")
			if strings.TrimSpace(query) == "" || query == "-" {
				b, err := io.ReadAll(os.Stdin)
				if err != nil {
					return err
				}
				query = string(b)
			}
			if strings.TrimSpace(query) == "" {
				return usageError("query: no SQL given (pass it as an argument or on stdin)")
			}
			return runQuery(c.Context, o.Config.DB, query, queryOptions{format: c.String("format"), allowFiles: c.Bool("allow-files")}, c.App.Writer)
		},
	}
}

// queryOptions are kpi query's flags.
type queryOptions struct {
	format     string
	allowFiles bool
}

// runQuery runs one query read-only and prints its result.
func runQuery(ctx context.Context, dbPath, query string, opt queryOptions, out io.Writer) error {
	format := opt.format
	switch format {
	case "table", "csv", "json":
	default:
		return usageError("--format must be table, csv or json, got %q", format)
	}
	db, err := store.OpenReader(ctx, dbPath, store.ReadOptions{AllowFiles: opt.allowFiles})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := onlyQueries(ctx, db.DB, query); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	var p printer
	switch format {
	case "csv":
		p = &csvPrinter{w: csv.NewWriter(w)}
	case "json":
		p = &jsonPrinter{w: w}
	default:
		p = &tablePrinter{w: w}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name()
	}
	if err := p.header(names); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("query: %w", err)
		}
		if err := p.row(cols, vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	return p.end()
}

// explainPrefix is EXPLAIN [ANALYZE] before a query.
var explainPrefix = regexp.MustCompile(`(?is)^\s*explain(\s+analyze)?\s+`)

// onlyQueries refuses SQL that is anything but queries, before it runs:
// DuckDB serializes SELECT statements (DESCRIBE, SHOW and SUMMARIZE are
// SELECTs too) and nothing else, so COPY, EXPORT, ATTACH, SET, PRAGMA,
// INSTALL and every statement that writes are refused. EXPLAIN of a
// query is a query.
func onlyQueries(ctx context.Context, db *sql.DB, query string) error {
	q := explainPrefix.ReplaceAllString(query, "")
	lit := "'" + strings.ReplaceAll(q, "'", "''") + "'"
	var parsed string
	if err := db.QueryRowContext(ctx, "SELECT json_serialize_sql("+lit+")").Scan(&parsed); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	var p struct {
		Error   bool   `json:"error"`
		Message string `json:"error_message"`
	}
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	switch {
	case !p.Error:
		return nil
	case strings.Contains(p.Message, "Only SELECT statements"):
		return usageError("query: kpi query is read-only: use SELECT (or WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); statements that change the database or write files are refused")
	}
	return fmt.Errorf("query: %s", p.Message)
}

type printer interface {
	header(names []string) error
	row(cols []*sql.ColumnType, vals []any) error
	end() error
}

// text renders one value as text; ok is false for NULL.
func text(col *sql.ColumnType, v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case time.Time:
		switch col.DatabaseTypeName() {
		case "DATE":
			return x.Format(time.DateOnly), true
		case "TIME":
			return x.Format("15:04:05.999999"), true
		}
		return x.UTC().Format("2006-01-02 15:04:05.999999"), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case []byte:
		return string(x), true
	case string:
		return x, true
	case duckdb.Decimal:
		return decimalString(x), true
	}
	return fmt.Sprint(v), true
}

// decimalString prints a DECIMAL exactly, from its scaled integer.
func decimalString(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

type csvPrinter struct{ w *csv.Writer }

func (p *csvPrinter) header(names []string) error { return p.w.Write(names) }
func (p *csvPrinter) row(cols []*sql.ColumnType, vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i], _ = text(cols[i], v)
	}
	return p.w.Write(rec)
}
func (p *csvPrinter) end() error { p.w.Flush(); return p.w.Error() }

type jsonPrinter struct {
	w     *bufio.Writer
	names []string
	n     int
}

func (p *jsonPrinter) header(names []string) error {
	p.names = names
	_, err := p.w.WriteString("[")
	return err
}

func (p *jsonPrinter) row(cols []*sql.ColumnType, vals []any) error {
	if p.n > 0 {
		p.w.WriteString(",")
	}
	p.n++
	p.w.WriteString("\n  {")
	for i, v := range vals {
		if i > 0 {
			p.w.WriteString(", ")
		}
		k, _ := json.Marshal(p.names[i])
		p.w.Write(k)
		p.w.WriteString(": ")
		b, err := json.Marshal(jsonValue(cols[i], v))
		if err != nil {
			return fmt.Errorf("query: column %s: %w", p.names[i], err)
		}
		p.w.Write(b)
	}
	p.w.WriteString("}")
	return nil
}

func (p *jsonPrinter) end() error {
	if p.n > 0 {
		p.w.WriteString("\n")
	}
	_, err := p.w.WriteString("]\n")
	return err
}

// jsonValue keeps numbers and booleans native; NaN and infinities, which
// JSON cannot hold, become strings.
func jsonValue(col *sql.ColumnType, v any) any {
	switch x := v.(type) {
	case nil, bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case float32:
		return jsonValue(col, float64(x))
	case duckdb.Decimal:
		return json.Number(decimalString(x))
	}
	s, _ := text(col, v)
	return s
}

// tablePrinter aligns columns; it holds at most maxTableRows rows to
// measure widths and streams the rest with the widths found.
type tablePrinter struct {
	w       *bufio.Writer
	names   []string
	buf     [][]string
	numeric []bool
	widths  []int
	n       int
	flushed bool
}

const maxTableRows = 1000

func (p *tablePrinter) header(names []string) error {
	p.names = names
	p.numeric = make([]bool, len(names))
	p.widths = make([]int, len(names))
	for i, n := range names {
		p.widths[i] = utf8.RuneCountInString(safeTerminal(n))
	}
	return nil
}

func (p *tablePrinter) row(cols []*sql.ColumnType, vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		s, ok := text(cols[i], v)
		if !ok {
			s = "NULL"
		}
		rec[i] = safeTerminal(s)
		switch v.(type) {
		case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, duckdb.Decimal:
			p.numeric[i] = true
		}
	}
	p.n++
	if p.flushed {
		p.line(rec)
		return nil
	}
	p.buf = append(p.buf, rec)
	if len(p.buf) >= maxTableRows {
		p.flush()
	}
	return nil
}

func (p *tablePrinter) flush() {
	for _, rec := range p.buf {
		for i, s := range rec {
			p.widths[i] = max(p.widths[i], utf8.RuneCountInString(s))
		}
	}
	names := make([]string, len(p.names))
	for i, n := range p.names {
		names[i] = safeTerminal(n)
	}
	p.line(names)
	for i, wd := range p.widths {
		if i > 0 {
			p.w.WriteString("-+-")
		}
		p.w.WriteString(strings.Repeat("-", wd))
	}
	p.w.WriteString("\n")
	for _, rec := range p.buf {
		p.line(rec)
	}
	p.buf, p.flushed = nil, true
}

func (p *tablePrinter) line(rec []string) {
	for i, s := range rec {
		if i > 0 {
			p.w.WriteString(" | ")
		}
		pad := strings.Repeat(" ", max(0, p.widths[i]-utf8.RuneCountInString(s)))
		if p.numeric[i] {
			p.w.WriteString(pad + s)
		} else if i == len(rec)-1 {
			p.w.WriteString(s)
		} else {
			p.w.WriteString(s + pad)
		}
	}
	p.w.WriteString("\n")
}

func (p *tablePrinter) end() error {
	if !p.flushed {
		p.flush()
	}
	noun := "rows"
	if p.n == 1 {
		noun = "row"
	}
	_, err := fmt.Fprintf(p.w, "(%d %s)\n", p.n, noun)
	return err
}

// safeTerminal escapes control characters: values come from end users'
// browsers and must not drive the reader's terminal.
func safeTerminal(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
