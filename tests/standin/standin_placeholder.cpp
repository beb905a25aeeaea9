namespace jiralink::standin {}
