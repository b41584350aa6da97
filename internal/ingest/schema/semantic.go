package schema

// Semantic types. They drive normalisation (the importer hands identifier columns to the
// matching parser) and tell models which columns can be joined; docs/kinds.md describes each.
const (
	SemPersonIDNumber = "person_id_number"
	SemPersonName     = "person_name"
	SemPhone          = "phone"
	SemBankCard       = "bank_card"
	SemAccount        = "account"
	SemIMEI           = "imei"
	SemIMSI           = "imsi"
	SemIP             = "ip"
	SemMAC            = "mac"
	SemEmail          = "email"
	SemWallet         = "wallet"
	SemCompanyCode    = "company_code"
	SemIBAN           = "iban"
	SemBIC            = "bic"
	SemAmount         = "amount"
	SemCurrency       = "currency"
	SemTimestamp      = "timestamp"
	SemDate           = "date"
	SemAddress        = "address"
	SemDirection      = "direction"
	SemFlag           = "flag"
	SemText           = "text"
	SemInteger        = "integer"
	SemNumber         = "number"
	SemCaseNo         = "case_no"
	SemBranchCode     = "branch_code"
	SemCountry        = "country"
)

// SemanticType describes one semantic type: the data types a column of it may have and
// whether values identify an entity (and so can join datasets).
type SemanticType struct {
	Name       string
	Types      []string // allowed data types, the usual one first
	Identifier bool     // values identify a person, account, device or organisation
	Doc        string
}

var semanticTypes = []SemanticType{
	{SemPersonIDNumber, []string{TypeText}, true, "PRC resident identity number (18 characters, ISO 7064 check digit) or another identity document number"},
	{SemPersonName, []string{TypeText}, false, "name of a person or organisation"},
	{SemPhone, []string{TypeText}, true, "telephone number, normalised to E.164"},
	{SemBankCard, []string{TypeText}, true, "payment card number (PAN, Luhn check digit)"},
	{SemAccount, []string{TypeText}, true, "bank or payment account number (card or not)"},
	{SemIMEI, []string{TypeText}, true, "handset identity (IMEI, 15 digits with Luhn check)"},
	{SemIMSI, []string{TypeText}, true, "SIM subscriber identity (IMSI, up to 15 digits, MCC+MNC+MSIN)"},
	{SemIP, []string{TypeText}, true, "IPv4 or IPv6 address"},
	{SemMAC, []string{TypeText}, true, "network hardware (MAC) address"},
	{SemEmail, []string{TypeText}, true, "e-mail address"},
	{SemWallet, []string{TypeText}, true, "cryptocurrency address (TRON, Ethereum, Bitcoin)"},
	{SemCompanyCode, []string{TypeText}, true, "PRC unified social credit code (USCC, GB 32100-2015)"},
	{SemIBAN, []string{TypeText}, true, "international bank account number (ISO 13616)"},
	{SemBIC, []string{TypeText}, true, "bank identifier code / SWIFT code (ISO 9362)"},
	{SemAmount, []string{TypeMoney, TypeDouble}, false, "amount of money or of a token"},
	{SemCurrency, []string{TypeText}, false, "currency or token code (ISO 4217 where possible)"},
	{SemTimestamp, []string{TypeTimestamp}, false, "point in time"},
	{SemDate, []string{TypeDate}, false, "calendar day"},
	{SemAddress, []string{TypeText}, false, "postal address or place"},
	{SemDirection, []string{TypeText}, false, "direction of a movement of money: in or out"},
	{SemFlag, []string{TypeBoolean}, false, "yes/no flag"},
	{SemText, []string{TypeText}, false, "free text or a code without a known structure"},
	{SemInteger, []string{TypeInteger}, false, "whole number"},
	{SemNumber, []string{TypeDouble, TypeInteger, TypeMoney}, false, "number with a fraction"},
	{SemCaseNo, []string{TypeText}, true, "case number of a police, procuratorate or court case"},
	{SemBranchCode, []string{TypeText}, true, "code of a bank branch or outlet"},
	{SemCountry, []string{TypeText}, false, "country or nationality (ISO 3166 where possible)"},
}

// SemanticTypes lists the semantic types. The result is a copy.
func SemanticTypes() []SemanticType {
	out := make([]SemanticType, len(semanticTypes))
	copy(out, semanticTypes)
	for i := range out {
		out[i].Types = append([]string(nil), out[i].Types...)
	}
	return out
}

// SemanticByName returns the semantic type with the given name.
func SemanticByName(name string) (SemanticType, bool) {
	for _, s := range semanticTypes {
		if s.Name == name {
			s.Types = append([]string(nil), s.Types...)
			return s, true
		}
	}
	return SemanticType{}, false
}

func validDataType(t string) bool {
	switch t {
	case TypeText, TypeInteger, TypeDouble, TypeMoney, TypeBoolean, TypeDate, TypeTimestamp:
		return true
	}
	return false
}
