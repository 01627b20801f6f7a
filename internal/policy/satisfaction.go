package policy

// Satisfaction (DOMAIN 3.2.2): surveys, the period's figure against the
// threshold, the vendor's callback queue (回访审核), complaints and
// suggestions. A survey, callback or figure is Own to the agreement's
// vendor and provider; a complaint is Own to its vendor, provider and
// customer.
const (
	// SurveyRead: the surveys sent and their answers.
	SurveyRead Action = "satisfaction.survey.read"
	// SatisfactionRead: a period's satisfaction and the dashboards.
	SatisfactionRead Action = "satisfaction.read"
	// CallbackRead: the callback queue and its outcomes.
	CallbackRead Action = "satisfaction.callback.read"
	// CallbackWork: record a call, confirm a visit or send it back (the
	// vendor's auditors and admins).
	CallbackWork Action = "satisfaction.callback.work"
	// ComplaintRead: complaints and suggestions with their history.
	ComplaintRead Action = "complaint.read"
	// ComplaintFile: file a complaint or suggestion.
	ComplaintFile Action = "complaint.file"
	// ComplaintNote: add an investigation note.
	ComplaintNote Action = "complaint.note"
	// ComplaintHandle: reply to the customer, close with the customer's
	// acceptance given by phone (the provider).
	ComplaintHandle Action = "complaint.handle"
	// ComplaintAccept: accept the reply or reopen (the customer; the vendor
	// may reopen too).
	ComplaintAccept Action = "complaint.accept"
)

func init() {
	vendorAndProvider := all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher}, Own)
	for a, g := range map[Action]grant{
		SurveyRead:       vendorAndProvider,
		SatisfactionRead: vendorAndProvider,
		CallbackRead:     vendorAndProvider,
		CallbackWork:     {VendorAdmin: {Own}, VendorAuditor: {Own}},
		ComplaintRead:    all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Customer}, Own),
		ComplaintFile:    all([]Role{VendorAdmin, VendorAuditor, ProviderAdmin, Dispatcher, Customer}, Own),
		ComplaintNote:    vendorAndProvider,
		ComplaintHandle:  {ProviderAdmin: {Own}, Dispatcher: {Own}},
		ComplaintAccept:  {Customer: {Own}, VendorAdmin: {Own}, VendorAuditor: {Own}},
	} {
		rules[a] = g
	}
}
