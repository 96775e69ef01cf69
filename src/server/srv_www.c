/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_www.c - looks up the page's files in the embedded set (www_data.c, generated from
 * src/server/www/). A path is served only when it is exactly one of those names: nothing is
 * ever read from the file system, so no request can reach another file.
 */
#include <string.h>

#include "server.h"

const struct srv_file *srv_www_find(const char *path) {
    if (!strcmp(path, "/")) path = "/index.html";
    for (size_t i = 0; i < srv_www_count; i++)
        if (!strcmp(path, srv_www_files[i].path)) return &srv_www_files[i];
    return NULL;
}
