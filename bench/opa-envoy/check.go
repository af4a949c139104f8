package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"google.golang.org/genproto/googleapis/rpc/code"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func (a *authorizer) Check(ctx context.Context, req *authv3.CheckRequest) (*authv3.CheckResponse, error) {
	decisionID := newDecisionID()
	txn, err := a.store.NewTransaction(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "transaction: %v", err)
	}
	defer a.store.Abort(ctx, txn)

	input, err := requestToInput(req)
	if err != nil {
		return badRequest(err), nil
	}
	value, err := ast.InterfaceToValue(input)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "input: %v", err)
	}
	results, err := a.query.Eval(ctx, rego.EvalParsedInput(value), rego.EvalTransaction(txn), rego.EvalMetrics(metrics.New()))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "eval: %v", err)
	}
	if len(results) != 1 || len(results[0].Expressions) != 1 {
		return nil, status.Errorf(codes.Internal, "undefined or multiple decisions")
	}
	decision, ok := results[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, status.Errorf(codes.Internal, "decision is not an object")
	}
	return toResponse(decision, decisionID)
}

func toResponse(decision map[string]any, decisionID string) (*authv3.CheckResponse, error) {
	allowed, _ := decision["allowed"].(bool)
	headers := headerOptions(decision["headers"])
	metadata, err := structpb.NewStruct(asObject(decision["dynamic_metadata"]))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "dynamic_metadata: %v", err)
	}
	metadata.Fields["decision_id"] = structpb.NewStringValue(decisionID)
	resp := &authv3.CheckResponse{DynamicMetadata: metadata}
	if allowed {
		resp.Status = &rpcstatus.Status{Code: int32(code.Code_OK)}
		resp.HttpResponse = &authv3.CheckResponse_OkResponse{OkResponse: &authv3.OkHttpResponse{Headers: headers}}
		return resp, nil
	}
	httpStatus := typev3.StatusCode_Forbidden
	if n, ok := decision["http_status"].(jsonNumber); ok {
		if v, err := n.Int64(); err == nil {
			httpStatus = typev3.StatusCode(v)
		}
	}
	body, _ := decision["body"].(string)
	resp.Status = &rpcstatus.Status{Code: int32(code.Code_PERMISSION_DENIED)}
	resp.HttpResponse = &authv3.CheckResponse_DeniedResponse{DeniedResponse: &authv3.DeniedHttpResponse{
		Status: &typev3.HttpStatus{Code: httpStatus}, Headers: headers, Body: body,
	}}
	return resp, nil
}

type jsonNumber interface{ Int64() (int64, error) }

func headerOptions(raw any) []*corev3.HeaderValueOption {
	object := asObject(raw)
	options := make([]*corev3.HeaderValueOption, 0, len(object))
	for key, value := range object {
		options = append(options, &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: key, Value: fmt.Sprint(value)}})
	}
	return options
}

func asObject(raw any) map[string]any {
	if object, ok := raw.(map[string]any); ok {
		return normalizeNumbers(object)
	}
	return map[string]any{}
}

// structpb wants float64 where the evaluator hands back json.Number.
func normalizeNumbers(object map[string]any) map[string]any {
	out := make(map[string]any, len(object))
	for key, value := range object {
		out[key] = normalizeValue(value)
	}
	return out
}

func normalizeValue(value any) any {
	switch v := value.(type) {
	case map[string]any:
		return normalizeNumbers(v)
	case []any:
		list := make([]any, len(v))
		for i, item := range v {
			list[i] = normalizeValue(item)
		}
		return list
	case interface{ Float64() (float64, error) }:
		f, _ := v.Float64()
		return f
	default:
		return value
	}
}

func badRequest(err error) *authv3.CheckResponse {
	return &authv3.CheckResponse{
		Status: &rpcstatus.Status{Code: int32(code.Code_PERMISSION_DENIED), Message: err.Error()},
		HttpResponse: &authv3.CheckResponse_DeniedResponse{DeniedResponse: &authv3.DeniedHttpResponse{
			Status: &typev3.HttpStatus{Code: typev3.StatusCode_BadRequest}, Body: err.Error(),
		}},
	}
}

func newDecisionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
