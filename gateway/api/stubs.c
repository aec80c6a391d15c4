/*
 * stubs.c - temporary.
 */
#include <osmocom/core/talloc.h>
#include "api_priv.h"
#define STUB(f) void f(struct api_req *r) { api_error(r, API_E_INTERNAL, "not yet"); }
STUB(api_messages_send)
STUB(api_messages_list)
STUB(api_message_get)
STUB(api_campaigns_preview)
STUB(api_campaigns_create)
STUB(api_campaigns_list)
STUB(api_campaign_get)
STUB(api_campaign_preview)
STUB(api_campaign_move)
STUB(api_campaign_report)
STUB(api_imports_create)
STUB(api_imports_list)
STUB(api_import_get)
STUB(api_import_apply)
STUB(api_import_delete)
STUB(api_export_enrolments)
STUB(api_workers_find)
STUB(api_worker_get)
STUB(api_subsidy_get)
STUB(api_subsidy_patch)
STUB(api_users_list)
STUB(api_users_add)
STUB(api_user_patch)
STUB(api_tokens_list)
STUB(api_tokens_add)
STUB(api_token_revoke)
STUB(api_audit_list)
struct api_imports *api_imports_new(struct api_server *s) { return talloc_zero_size(s, 1); }
void api_imports_free(struct api_imports *im) { talloc_free(im); }
