package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestResolveCommandLinksTheRecordsOfAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "people.csv")
	csv := "person_id,name,id_number,birth_date,phone\n" +
		"1,张伟,110101199003071234,1990-03-07,13800138000\n" +
		"2,ZHANG Wei,110101199003071234,19900307,+86 138 0013 8000\n" +
		"3,李娜,320102198511110022,1985-11-11,13912345678\n" +
		"4,王芳,440106197001010011,1970-01-01,13711112222\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g := &globals{out: &out, errOut: &out, json: true}
	cmd := newResolveCmd(g)
	cmd.SetArgs([]string{file})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("resolve: %v\n%s", err, out.String())
	}
	var res struct {
		Clusters []struct {
			Records []string `json:"records"`
		} `json:"clusters"`
		Links []struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"links"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(res.Clusters) != 1 || len(res.Clusters[0].Records) != 2 || len(res.Links) == 0 || len(res.Links[0].Fields) == 0 {
		t.Fatalf("want one entity of records 1 and 2 with an explained link, got %s", out.String())
	}
}

func TestResolveCommandRefusesBothADatasetAndAFile(t *testing.T) {
	var out bytes.Buffer
	cmd := newResolveCmd(&globals{out: &out, errOut: &out})
	cmd.SetArgs([]string{"--dataset", "persons", "file.csv"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.ExecuteContext(context.Background()); err == nil {
		t.Fatal("a dataset and a file together were accepted")
	}
}
