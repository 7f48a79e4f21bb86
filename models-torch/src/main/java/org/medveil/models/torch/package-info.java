/** The libtorch training engine ({@code torch}); see the module README. */
package org.medveil.models.torch;
