package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// requestToInput builds the input document the plugin gives Rego: the whole CheckRequest by
// JSON field names, plus parsed_path, parsed_query, parsed_body and truncated_body.
func requestToInput(req *authv3.CheckRequest) (map[string]any, error) {
	input := messageToMap(req.ProtoReflect())
	httpRequest := req.GetAttributes().GetRequest().GetHttp()
	parsed, err := url.Parse(httpRequest.GetPath())
	if err != nil {
		return nil, err
	}
	segments := strings.Split(strings.TrimLeft(parsed.Path, "/"), "/")
	parsedPath := make([]any, len(segments))
	for i, s := range segments {
		parsedPath[i] = s
	}
	parsedQuery := map[string]any{}
	for key, values := range parsed.Query() {
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		parsedQuery[key] = list
	}
	input["parsed_path"] = parsedPath
	input["parsed_query"] = parsedQuery
	body, truncated, err := parseBody(httpRequest)
	if err != nil {
		return nil, err
	}
	input["parsed_body"] = body
	input["truncated_body"] = truncated
	return input, nil
}

func parseBody(httpRequest *authv3.AttributeContext_HttpRequest) (any, bool, error) {
	if !strings.Contains(httpRequest.GetHeaders()["content-type"], "application/json") {
		return nil, false, nil
	}
	raw := httpRequest.GetRawBody()
	if len(raw) == 0 {
		raw = []byte(httpRequest.GetBody())
	}
	if len(raw) == 0 {
		return nil, false, nil
	}
	if httpRequest.GetSize() > int64(len(raw)) {
		return nil, true, nil
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var body any
	if err := decoder.Decode(&body); err != nil {
		return nil, false, err
	}
	return body, false, nil
}

func messageToMap(message protoreflect.Message) map[string]any {
	if structLike, ok := message.Interface().(interface{ AsMap() map[string]any }); ok {
		return structLike.AsMap()
	}
	out := make(map[string]any, message.Descriptor().Fields().Len())
	message.Range(func(field protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		out[field.JSONName()] = fieldValue(field, value)
		return true
	})
	return out
}

func fieldValue(field protoreflect.FieldDescriptor, value protoreflect.Value) any {
	switch {
	case field.IsMap():
		entries := make(map[string]any, value.Map().Len())
		value.Map().Range(func(key protoreflect.MapKey, item protoreflect.Value) bool {
			entries[key.String()] = scalarOrMessage(field.MapValue(), item)
			return true
		})
		return entries
	case field.IsList():
		list := make([]any, value.List().Len())
		for i := range list {
			list[i] = scalarOrMessage(field, value.List().Get(i))
		}
		return list
	default:
		return scalarOrMessage(field, value)
	}
}

func scalarOrMessage(field protoreflect.FieldDescriptor, value protoreflect.Value) any {
	switch field.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return messageToMap(value.Message())
	case protoreflect.EnumKind:
		return string(field.Enum().Values().ByNumber(value.Enum()).Name())
	case protoreflect.BytesKind:
		return string(value.Bytes())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return value.String()
	default:
		return value.Interface()
	}
}
