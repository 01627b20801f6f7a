// Package org owns the parties of an agreement: vendor, provider and customer
// organizations, and which of them work with each other. Every row of data
// that belongs to a party is scoped to an organization id from here.
package org

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/problem"
)

// Kind is what an organization is to the agreement.
type Kind string

const (
	Vendor   Kind = "vendor"
	Provider Kind = "provider"
	Customer Kind = "customer"
)

// Kinds lists the organization kinds in display order.
var Kinds = []Kind{Vendor, Provider, Customer}

// Organization is a vendor, provider or customer.
type Organization struct {
	ID        int64     `db:"id" json:"id"`
	Kind      Kind      `db:"kind" json:"kind"`
	Name      string    `db:"name" json:"name"`
	Code      string    `db:"code" json:"code"`
	Address   string    `db:"address" json:"address" doc:"The registered address (注册地址), printed with the name on business documents."`
	Active    bool      `db:"active" json:"active"`
	Version   int64     `db:"version" json:"version"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// Input is what a caller may set on an organization.
type Input struct {
	Kind    Kind
	Name    string
	Code    string
	Address string
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Validate checks an input, naming every bad field.
func (in *Input) Validate() error {
	var fs problem.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.ToLower(strings.TrimSpace(in.Code))
	if !slices.Contains(Kinds, in.Kind) {
		fs.Add("kind", "must be one of vendor, provider, customer")
	}
	problem.CheckText(&fs, "name", in.Name, true, 200)
	in.Address = strings.TrimSpace(in.Address)
	problem.CheckText(&fs, "address", in.Address, false, 300)
	if !codePattern.MatchString(in.Code) {
		fs.Add("code", "must be 2-40 lowercase letters, digits or hyphens, starting with a letter or digit")
	}
	return fs.Err()
}

// MayRegister reports whether an organization of kind registrar may register
// one of kind k: vendors register providers and customers, providers register
// customers.
func MayRegister(registrar, k Kind) bool {
	switch registrar {
	case Vendor:
		return k == Provider || k == Customer
	case Provider:
		return k == Customer
	}
	return false
}
