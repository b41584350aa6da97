// Package ident parses, validates and normalises the identifiers and values
// found in Chinese bank, telecom and justice data: resident ID numbers, unified
// social credit codes, bank cards and accounts, phone numbers, IBAN and BIC,
// IMEI and IMSI, IP and MAC addresses, e-mail addresses, crypto-currency
// wallets, amounts of money, timestamps and dates.
//
// Every ParseXxx function first applies Clean, so spreadsheet artefacts
// (full-width digits, a leading apostrophe, ="…" quoting, stray spaces) never
// cause a rejection. A rejected value yields an *Error whose Reason tells the
// user what is wrong and what to do.
//
// The importer calls these functions for every cell of multi-million-row
// files, so the common path of each avoids allocation; see the benchmarks.
package ident
