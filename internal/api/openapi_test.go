package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ward-sec/ward/internal/api/wire"
)

type openAPIDoc struct {
	OpenAPI string                          `json:"openapi"`
	Paths   map[string]map[string]openAPIOp `json:"paths"`
	Comps   struct {
		Parameters map[string]openAPIParam  `json:"parameters"`
		Schemas    map[string]openAPISchema `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	OperationID string          `json:"operationId"`
	Role        string          `json:"x-ward-role"`
	Parameters  []openAPIParam  `json:"parameters"`
	Security    *[]any          `json:"security"`
	Responses   map[string]any  `json:"responses"`
	RequestBody json.RawMessage `json:"requestBody"`
}

type openAPIParam struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

type openAPISchema struct {
	Ref        string                   `json:"$ref"`
	Properties map[string]openAPISchema `json:"properties"`
	AllOf      []openAPISchema          `json:"allOf"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	return doc
}

// The document and the routes describe the same endpoints with the same
// roles and path parameters.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := map[string]route{}
	for _, rt := range (&server{}).routes() {
		routes[strings.ToLower(rt.Method)+" "+rt.Path] = rt
	}
	documented := map[string]bool{}
	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := method + " " + path
			documented[key] = true
			rt, ok := routes[key]
			if !ok {
				t.Errorf("documented %s has no route", key)
				continue
			}
			wantRole := string(rt.Role)
			if wantRole == "" {
				wantRole = "public"
				if op.Security == nil || len(*op.Security) != 0 {
					t.Errorf("%s is public but the document does not say security: []", key)
				}
			}
			if op.Role != wantRole {
				t.Errorf("%s: x-ward-role %q, route needs %q", key, op.Role, wantRole)
			}
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: missing or duplicate operationId %q", key, op.OperationID)
			}
			ids[op.OperationID] = true
			var declared []string
			for _, p := range op.Parameters {
				if p.Ref != "" {
					p = doc.Comps.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				}
				if p.In == "path" {
					declared = append(declared, p.Name)
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(declared, m[1]) {
					t.Errorf("%s: path parameter %s not declared", key, m[1])
				}
			}
			if _, ok := op.Responses["500"]; !ok && rt.Role != "" {
				t.Errorf("%s: no 500 response", key)
			}
			if rt.Role != "" {
				if _, ok := op.Responses["401"]; !ok {
					t.Errorf("%s: no 401 response", key)
				}
			}
		}
	}
	for key := range routes {
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
}

// The documented schemas list exactly the JSON fields of the wire types.
func TestOpenAPISchemasMatchWireTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	types := map[string]any{
		"Error": wire.Error{}, "Health": wire.Health{}, "Whoami": wire.Whoami{}, "Host": wire.Host{},
		"HostDetail": wire.HostDetail{}, "Agent": wire.Agent{}, "SoftwareHit": wire.SoftwareHit{}, "PortHit": wire.PortHit{},
		"AppHit": wire.AppHit{}, "AccountHit": wire.AccountHit{}, "TaskTarget": wire.TaskTarget{}, "CreateTask": wire.CreateTask{},
		"Task": wire.Task{}, "TaskDetail": wire.TaskDetail{}, "TaskRun": wire.TaskRun{}, "TaskType": wire.TaskType{},
		"Finding": wire.Finding{}, "SuppressFinding": wire.SuppressFinding{}, "CreateEnrollmentToken": wire.CreateEnrollmentToken{},
		"EnrollmentToken": wire.EnrollmentToken{}, "CreateAPIToken": wire.CreateAPIToken{}, "APIToken": wire.APIToken{},
		"CreateUser": wire.CreateUser{}, "User": wire.User{}, "AuditEntry": wire.AuditEntry{},
		"HostList": wire.List[wire.Host]{}, "SoftwareHitResult": wire.QueryResult[wire.SoftwareHit]{},
		"LeakedQuery": wire.LeakedQuery{}, "LeakedResult": wire.LeakedResult{}, "LeakedHost": wire.LeakedHost{}, "LeakedMatch": wire.LeakedMatch{},
	}
	for name, v := range types {
		s, ok := doc.Comps.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		got := schemaProps(doc, s)
		want := jsonFields(reflect.TypeOf(v))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has %v; wire type has %v", name, got, want)
		}
	}
}

func schemaProps(doc openAPIDoc, s openAPISchema) []string {
	if s.Ref != "" {
		return schemaProps(doc, doc.Comps.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")])
	}
	var out []string
	for name := range s.Properties {
		out = append(out, name)
	}
	for _, sub := range s.AllOf {
		out = append(out, schemaProps(doc, sub)...)
	}
	return out
}

// jsonFields lists the JSON names of a struct's fields, embedded structs
// flattened, "-" left out.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			out = append(out, jsonFields(f.Type)...)
		case f.IsExported():
			if name == "" {
				name = f.Name
			}
			out = append(out, name)
		}
	}
	return out
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, backends()[0], nil)
	body := e.call(t, "GET", "/api/v1/openapi.json", "", nil, 200, nil)
	if string(body) != string(openAPIDocument) {
		t.Fatal("served document differs from the embedded one")
	}
}

// Capability fragments merge into the document; a path defined twice is
// an error naming the fragment.
func TestMergeOpenAPIFragments(t *testing.T) {
	base := []byte(`{"openapi":"3.0.3","paths":{"/a":{}},"components":{"schemas":{"A":{}}}}`)
	frags := fstest.MapFS{
		"openapi/x.json": {Data: []byte(`{"paths":{"/x":{"get":{}}},"components":{"schemas":{"X":{}}}}`)},
	}
	b, err := mergeOpenAPI(base, frags)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]any
		Comps struct{ Schemas map[string]any } `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Paths["/x"] == nil || doc.Paths["/a"] == nil || doc.Comps.Schemas["X"] == nil {
		t.Fatalf("merged %s (%v)", b, err)
	}
	frags["openapi/y.json"] = &fstest.MapFile{Data: []byte(`{"paths":{"/a":{}}}`)}
	if _, err := mergeOpenAPI(base, frags); err == nil || !strings.Contains(err.Error(), "y.json") {
		t.Fatalf("duplicate path: %v", err)
	}
}
