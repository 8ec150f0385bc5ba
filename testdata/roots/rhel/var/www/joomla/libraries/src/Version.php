<?php

/**
 * Joomla! Content Management System
 *
 * @copyright  (C) 2005 Open Source Matters, Inc. <https://www.joomla.org>
 * @license    GNU General Public License version 2 or later; see LICENSE.txt
 *
 * Trimmed stand-in of Joomla 4.4.0's libraries/src/Version.php.
 */

namespace Joomla\CMS;

final class Version
{
    /**
     * Product name.
     */
    public const PRODUCT = 'Joomla!';

    /**
     * Major release version.
     */
    public const MAJOR_VERSION = 4;

    /**
     * Minor release version.
     */
    public const MINOR_VERSION = 4;

    /**
     * Patch release version.
     */
    public const PATCH_VERSION = 0;

    /**
     * Extra release version info.
     */
    public const EXTRA_VERSION = '';
}
