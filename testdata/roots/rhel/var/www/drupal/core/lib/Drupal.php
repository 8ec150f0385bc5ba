<?php

/**
 * @file
 * Contains \Drupal.
 *
 * Trimmed stand-in of Drupal 10.1.6's core/lib/Drupal.php (GPL-2.0-or-later).
 */

use Drupal\Core\DependencyInjection\ContainerNotInitializedException;

/**
 * Static Service Container wrapper.
 */
class Drupal {

  /**
   * The current system version.
   */
  const VERSION = '10.1.6';

  /**
   * Core API compatibility.
   */
  const CORE_COMPATIBILITY = '8.x';

}
