package graph

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

func smallGraph() *Graph {
	b := NewBuilder()
	p := b.Node(Person, "110101199001011234")
	b.SetLabel(p, "张伟 <&>")
	a := b.Node(Account, "6222000011112222")
	c := b.Node(Case, "A1100")
	b.Edge(p, a, Holds, "", 2)
	b.Edge(c, p, Party, "suspect", 1)
	return b.Build()
}

func TestEveryExportFormatIsWellFormedAndKeepsAllEdges(t *testing.T) {
	g := smallGraph()
	sg := g.Subgraph(nil, []int32{0, 0, 1})
	if len(sg.Nodes) != 3 || len(sg.Edges) != 2 {
		t.Fatalf("subgraph has %d nodes and %d edges, want 3 and 2", len(sg.Nodes), len(sg.Edges))
	}
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sg.Write(&buf, f); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			switch f {
			case "json":
				var back Subgraph
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Edges) != 2 {
					t.Errorf("JSON does not read back (%v): %s", err, out)
				}
			case "ftm":
				if n := checkFtM(t, buf.Bytes()); n["CourtCaseParty"] != 1 || n["Ownership"] != 1 || n["Person"] != 1 {
					t.Errorf("FtM entities by schema %v; want a Person, an Ownership and a CourtCaseParty", n)
				}
			default:
				d := xml.NewDecoder(strings.NewReader(out))
				for {
					if _, err := d.Token(); err != nil {
						if err.Error() != "EOF" {
							t.Errorf("%s is not well-formed XML: %v", f, err)
						}
						break
					}
				}
				if strings.Count(out, "<edge ") != 2 || !strings.Contains(out, "张伟 &lt;&amp;&gt;") {
					t.Errorf("%s lacks the edges or the escaped label:\n%s", f, out)
				}
			}
		})
	}
	if err := sg.Write(&bytes.Buffer{}, "dot"); err == nil || !strings.Contains(err.Error(), "graphml") {
		t.Errorf("an unknown format should be refused with the list of formats, got %v", err)
	}
}
