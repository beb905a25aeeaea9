// libpq, loaded when a PostgreSQL outbox is opened instead of at program
// start. Internal to the outbox module.
//
// Linking libpq would bring it and its own libraries (GSSAPI, LDAP, TLS)
// into every jiralink process, including each push's hook and each
// `jiralink render` that uses the SQLite outbox or none at all. Loading it
// here, only when `[state] outbox` names a postgresql:// database, keeps
// their start-up as it is (bench/ BM_ProcessStartup measures it).
#pragma once

#include <libpq-fe.h>

#include <string>

namespace jiralink::outbox::internal {

// The libpq functions the PostgreSQL outbox uses.
struct PqLibrary {
  decltype(&PQconnectdbParams) connectdb_params;
  decltype(&PQstatus) status;
  decltype(&PQerrorMessage) error_message;
  decltype(&PQfinish) finish;
  decltype(&PQreset) reset;
  decltype(&PQexec) exec;
  decltype(&PQexecParams) exec_params;
  decltype(&PQresultStatus) result_status;
  decltype(&PQresultErrorMessage) result_error_message;
  decltype(&PQresultErrorField) result_error_field;
  decltype(&PQntuples) ntuples;
  decltype(&PQgetvalue) getvalue;
  decltype(&PQgetlength) getlength;
  decltype(&PQgetisnull) getisnull;
  decltype(&PQcmdTuples) cmd_tuples;
  decltype(&PQclear) clear;
  decltype(&PQsocket) socket;
  decltype(&PQconsumeInput) consume_input;
  decltype(&PQnotifies) notifies;
  decltype(&PQfreemem) freemem;
  decltype(&PQsetNoticeProcessor) set_notice_processor;
  decltype(&PQconninfoParse) conninfo_parse;
  decltype(&PQconninfoFree) conninfo_free;
};

// Loads libpq.so.5, once per process (thread-safe). Returns nullptr, with
// *error saying why (and which Debian package provides it), when it cannot.
const PqLibrary* LoadPq(std::string* error);

}  // namespace jiralink::outbox::internal
