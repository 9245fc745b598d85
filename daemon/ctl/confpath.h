/*
 * confpath.h: which configuration pathwayctl reads when neither -c nor
 * PATHWAY_CONF names one.
 */
#ifndef PW_CTL_CONFPATH_H
#define PW_CTL_CONFPATH_H

#include <stdio.h>

/*
 * The first of these that exists, or NULL: conf/pathway.conf (a checkout,
 * from its top); PREFIX/SYSCONFDIR/pathway/pathway.conf of the installation
 * this pathwayctl runs from (PREFIX: its bin/'s parent); the configuration
 * this build installs (CMAKE_INSTALL_FULL_SYSCONFDIR/pathway/pathway.conf).
 * A new string.
 */
char *confpath_find(void);

/* The search order, one path a line, for --help. */
void confpath_print(FILE *out);

#endif
