package graph

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Subgraph is a set of nodes with the edges among them, ready to export or print.
type Subgraph struct {
	Nodes []ExportNode `json:"nodes"`
	Edges []Edge       `json:"edges"`
}

// ExportNode is a node with its community (-1 when none was computed).
type ExportNode struct {
	Ref
	Community int32 `json:"community"`
}

// Edge is one edge of a subgraph, between node ids of the graph.
type Edge struct {
	From  int32  `json:"from"`
	To    int32  `json:"to"`
	Rel   Rel    `json:"rel"`
	Label string `json:"label,omitempty"`
	Rows  int64  `json:"rows"`
}

// Subgraph returns the nodes (all when nodes is nil) and every edge among them; community,
// when not nil, labels each node.
func (g *Graph) Subgraph(nodes []int32, community []int32) Subgraph {
	if nodes == nil {
		nodes = make([]int32, g.Nodes())
		for i := range nodes {
			nodes[i] = int32(i)
		}
	}
	in := make(map[int32]bool, len(nodes))
	for _, n := range nodes {
		in[n] = true
	}
	var sg Subgraph
	for _, n := range nodes {
		c := int32(-1)
		if community != nil {
			c = community[n]
		}
		sg.Nodes = append(sg.Nodes, ExportNode{Ref: g.Ref(n), Community: c})
		for p := g.off[n]; p < g.off[n+1]; p++ {
			if g.out[p] && in[g.nbr[p]] {
				sg.Edges = append(sg.Edges, Edge{From: n, To: g.nbr[p], Rel: g.rel[p], Label: g.labs[g.lab[p]], Rows: g.rows[p]})
			}
		}
	}
	return sg
}

// Formats lists the export formats.
var Formats = []string{"json", "graphml", "gexf", "ftm"}

// Write writes sg in one of Formats. GraphML and GEXF open in Gephi, Cytoscape and yEd;
// node ids are the graph's ids, with type, key, label and community as attributes. ftm writes
// FollowTheMoney entities as JSON lines for Aleph and OpenSanctions tools (see FtM).
func (sg Subgraph) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(sg)
	case "graphml":
		return sg.writeGraphML(w)
	case "gexf":
		return sg.writeGEXF(w)
	case "ftm":
		return sg.writeFtM(w)
	}
	return fmt.Errorf("export format %q is not known; use one of %v", format, Formats)
}

type xmlAttr struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func (sg Subgraph) writeGraphML(w io.Writer) error {
	type key struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	}
	type node struct {
		ID   string    `xml:"id,attr"`
		Data []xmlAttr `xml:"data"`
	}
	type edge struct {
		Source string    `xml:"source,attr"`
		Target string    `xml:"target,attr"`
		Data   []xmlAttr `xml:"data"`
	}
	type graph struct {
		Default string `xml:"edgedefault,attr"`
		Nodes   []node `xml:"node"`
		Edges   []edge `xml:"edge"`
	}
	doc := struct {
		XMLName xml.Name `xml:"graphml"`
		NS      string   `xml:"xmlns,attr"`
		Keys    []key    `xml:"key"`
		Graph   graph    `xml:"graph"`
	}{NS: "http://graphml.graphdrawing.org/xmlns", Graph: graph{Default: "directed"}}
	doc.Keys = []key{{"type", "node", "type", "string"}, {"key", "node", "key", "string"}, {"label", "node", "label", "string"},
		{"community", "node", "community", "int"}, {"rel", "edge", "rel", "string"}, {"elabel", "edge", "label", "string"}, {"rows", "edge", "rows", "long"}}
	for _, n := range sg.Nodes {
		doc.Graph.Nodes = append(doc.Graph.Nodes, node{ID: "n" + strconv.Itoa(int(n.ID)), Data: []xmlAttr{
			{"type", n.Type.String()}, {"key", n.Key}, {"label", n.Label}, {"community", strconv.Itoa(int(n.Community))}}})
	}
	for _, e := range sg.Edges {
		doc.Graph.Edges = append(doc.Graph.Edges, edge{Source: "n" + strconv.Itoa(int(e.From)), Target: "n" + strconv.Itoa(int(e.To)), Data: []xmlAttr{
			{"rel", e.Rel.String()}, {"elabel", e.Label}, {"rows", strconv.FormatInt(e.Rows, 10)}}})
	}
	return writeXML(w, doc)
}

func (sg Subgraph) writeGEXF(w io.Writer) error {
	type attr struct {
		ID    string `xml:"id,attr"`
		Title string `xml:"title,attr"`
		Type  string `xml:"type,attr"`
	}
	type attrs struct {
		Class string `xml:"class,attr"`
		Attr  []attr `xml:"attribute"`
	}
	type value struct {
		For   string `xml:"for,attr"`
		Value string `xml:"value,attr"`
	}
	type node struct {
		ID     string  `xml:"id,attr"`
		Label  string  `xml:"label,attr"`
		Values []value `xml:"attvalues>attvalue"`
	}
	type edge struct {
		ID     string  `xml:"id,attr"`
		Source string  `xml:"source,attr"`
		Target string  `xml:"target,attr"`
		Weight int64   `xml:"weight,attr"`
		Label  string  `xml:"label,attr"`
		Values []value `xml:"attvalues>attvalue"`
	}
	type graph struct {
		Mode    string  `xml:"mode,attr"`
		Default string  `xml:"defaultedgetype,attr"`
		Attrs   []attrs `xml:"attributes"`
		Nodes   []node  `xml:"nodes>node"`
		Edges   []edge  `xml:"edges>edge"`
	}
	doc := struct {
		XMLName xml.Name `xml:"gexf"`
		NS      string   `xml:"xmlns,attr"`
		Version string   `xml:"version,attr"`
		Graph   graph    `xml:"graph"`
	}{NS: "http://gexf.net/1.3", Version: "1.3", Graph: graph{Mode: "static", Default: "directed", Attrs: []attrs{
		{Class: "node", Attr: []attr{{"0", "type", "string"}, {"1", "key", "string"}, {"2", "community", "integer"}}},
		{Class: "edge", Attr: []attr{{"0", "rel", "string"}}},
	}}}
	for _, n := range sg.Nodes {
		label := n.Label
		if label == "" {
			label = n.Key
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, node{ID: strconv.Itoa(int(n.ID)), Label: label, Values: []value{
			{"0", n.Type.String()}, {"1", n.Key}, {"2", strconv.Itoa(int(n.Community))}}})
	}
	for i, e := range sg.Edges {
		doc.Graph.Edges = append(doc.Graph.Edges, edge{ID: strconv.Itoa(i), Source: strconv.Itoa(int(e.From)), Target: strconv.Itoa(int(e.To)),
			Weight: max(e.Rows, 1), Label: e.Label, Values: []value{{"0", e.Rel.String()}}})
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Members lists the nodes of community c in id order.
func Members(of []int32, c int32) []int32 {
	var out []int32
	for i, x := range of {
		if x == c {
			out = append(out, int32(i))
		}
	}
	slices.Sort(out)
	return out
}
