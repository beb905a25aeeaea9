#include "libpq_library.h"

#include "jiralink/os/shared_library.h"

namespace jiralink::outbox::internal {

namespace {

// The soname of libpq's ABI 5 (every libpq since PostgreSQL 8.0).
constexpr const char* kLibraryName = "libpq.so.5";

bool Resolve(void* handle, PqLibrary* lib, std::string* /*error*/) {
  const bool ok = ResolveSymbol(handle, "PQconnectdbParams", &lib->connectdb_params) &&
                  ResolveSymbol(handle, "PQstatus", &lib->status) &&
                  ResolveSymbol(handle, "PQerrorMessage", &lib->error_message) &&
                  ResolveSymbol(handle, "PQfinish", &lib->finish) &&
                  ResolveSymbol(handle, "PQreset", &lib->reset) &&
                  ResolveSymbol(handle, "PQexec", &lib->exec) &&
                  ResolveSymbol(handle, "PQexecParams", &lib->exec_params) &&
                  ResolveSymbol(handle, "PQresultStatus", &lib->result_status) &&
                  ResolveSymbol(handle, "PQresultErrorMessage", &lib->result_error_message) &&
                  ResolveSymbol(handle, "PQresultErrorField", &lib->result_error_field) &&
                  ResolveSymbol(handle, "PQntuples", &lib->ntuples) &&
                  ResolveSymbol(handle, "PQgetvalue", &lib->getvalue) &&
                  ResolveSymbol(handle, "PQgetlength", &lib->getlength) &&
                  ResolveSymbol(handle, "PQgetisnull", &lib->getisnull) &&
                  ResolveSymbol(handle, "PQcmdTuples", &lib->cmd_tuples) &&
                  ResolveSymbol(handle, "PQclear", &lib->clear) &&
                  ResolveSymbol(handle, "PQsocket", &lib->socket) &&
                  ResolveSymbol(handle, "PQconsumeInput", &lib->consume_input) &&
                  ResolveSymbol(handle, "PQnotifies", &lib->notifies) &&
                  ResolveSymbol(handle, "PQfreemem", &lib->freemem) &&
                  ResolveSymbol(handle, "PQsetNoticeProcessor", &lib->set_notice_processor) &&
                  ResolveSymbol(handle, "PQconninfoParse", &lib->conninfo_parse) &&
                  ResolveSymbol(handle, "PQconninfoFree", &lib->conninfo_free);
  return ok;
}

}  // namespace

const PqLibrary* LoadPq(std::string* error) {
  return LoadSharedLibraryOnce<PqLibrary>(kLibraryName, "libpq5", Resolve, error);
}

}  // namespace jiralink::outbox::internal
