package compute

import (
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/marcboeker/go-duckdb"
)

func TestScratch(t *testing.T) {
	db, err := sql.Open("duckdb", t.TempDir()+"/x.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	q := func(s string) {
		rows, err := db.Query(s)
		if err != nil {
			fmt.Println("ERR", s, err)
			return
		}
		cols, _ := rows.Columns()
		ct, _ := rows.ColumnTypes()
		for _, c := range ct {
			fmt.Print(c.Name(), ":", c.DatabaseTypeName(), " ")
		}
		fmt.Println()
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			rows.Scan(p...)
			fmt.Println(v...)
		}
		rows.Close()
	}
	q(`SELECT json_serialize_sql('SELECT 1; SELECT 2')::JSON->'statements' AS s, json_array_length(json_serialize_sql('SELECT 1; SELECT 2')::JSON->'statements')`)
	q(`SELECT json_serialize_sql('DELETE FROM x')`)
	q(`SELECT json_serialize_sql('SELECT 1 AS a; DELETE FROM x')`)
	q(`SELECT json_serialize_sql('WITH a AS (SELECT 1) SELECT * FROM a -- c
;')`)
	q(`SELECT json_serialize_sql('SELEC 1')`)
	q(`SELECT 1.0/0.0, 1/0, 0.0/0.0`)
	q(`SELECT current_setting('ieee_floating_point_ops')`)
}
